using MfaHost.PluginSdk;
using NUnit.Framework;

namespace MfaHost.Testing.Http;

/// <summary>
/// The SDK's HTTP failure table (<see cref="HttpFailureClassifier"/>), row by row, against real loopback
/// peers. Each HTTP plugin's tests derive from it and say how to authenticate once against a host and port
/// (HTTPS, trusting the test CA through <see cref="CaFile"/>, <c>request_timeout</c> of 1 s).
/// </summary>
public abstract class HttpFailureTable
{
    /// <summary>A name under the reserved top-level domain <c>.invalid</c>: it never resolves.</summary>
    protected const string UnresolvableHost = "mfa-plugin-test.invalid";

    private static readonly Lazy<TestCertificateAuthority> SharedCa = new(() => new TestCertificateAuthority("HTTP Failure Table CA"));

    protected TempDirectory Temp { get; private set; } = null!;

    protected CapturingLogger Log { get; private set; } = null!;

    /// <summary>The test CA's root, as the plugin's <c>ca_file</c>.</summary>
    protected string CaFile { get; private set; } = null!;

    /// <summary>Whether the plugin can be told to fail open (then every row is also run failing open).</summary>
    protected virtual bool CanFailOpen => false;

    [SetUp]
    public void CreatePerTestState()
    {
        Temp = new TempDirectory();
        Log = new CapturingLogger();
        CaFile = SharedCa.Value.WriteRootPem(Temp.Combine("table-ca.pem"));
    }

    [TearDown]
    public void DisposePerTestState()
    {
        TestContext.Out.WriteLine(Log.AllText);
        Temp.Dispose();
        Log.Dispose();
    }

    [TestCase(PeerFault.ClosedPort, "cannot connect")]
    [TestCase(PeerFault.Silent, "no answer within 1 s")]
    [TestCase(PeerFault.NoAnswer, "no answer within 1 s")]
    public async Task No_answer_is_service_unreachable(PeerFault fault, string logged)
    {
        await using var peer = await FaultyPeer.StartAsync(fault, SharedCa.Value);
        await AssertRowAsync(FaultyPeer.Host, peer.Port, MfaReasons.ServiceUnreachable, logged);
    }

    [Test]
    public async Task A_host_name_that_does_not_resolve_is_service_unreachable() =>
        await AssertRowAsync(UnresolvableHost, 443, MfaReasons.ServiceUnreachable, "cannot resolve the host name");

    [Test]
    public async Task A_certificate_for_another_host_is_a_communication_error_never_failing_open()
    {
        await using var peer = await FaultyPeer.StartAsync(PeerFault.WrongHostCertificate, SharedCa.Value);
        await AssertRowAsync(FaultyPeer.Host, peer.Port, MfaReasons.CommunicationError, "TLS handshake failed");
    }

    [Test]
    public async Task A_certificate_from_an_untrusted_ca_is_a_communication_error_never_failing_open()
    {
        await using var peer = await FaultyPeer.StartAsync(PeerFault.HtmlPage, SharedCa.Value);
        using var other = new TestCertificateAuthority("Not The Trusted CA");
        other.WriteRootPem(CaFile);
        await AssertRowAsync(FaultyPeer.Host, peer.Port, MfaReasons.CommunicationError, "TLS handshake failed");
    }

    [Test]
    public async Task A_peer_that_answers_garbage_is_a_communication_error()
    {
        await using var peer = await FaultyPeer.StartAsync(PeerFault.Garbage, SharedCa.Value);
        await AssertRowAsync(FaultyPeer.Host, peer.Port, MfaReasons.CommunicationError, string.Empty);
    }

    [Test]
    public async Task A_peer_that_answers_html_instead_of_the_api_is_a_communication_error()
    {
        await using var peer = await FaultyPeer.StartAsync(PeerFault.HtmlPage, SharedCa.Value);
        await AssertRowAsync(FaultyPeer.Host, peer.Port, MfaReasons.CommunicationError, string.Empty);
    }

    /// <summary>One authentication of the plugin against <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <param name="host">The host name to put in the instance file.</param>
    /// <param name="port">The port.</param>
    /// <param name="failOpen">Whether the instance fails open (only asked when <see cref="CanFailOpen"/>).</param>
    protected abstract Task<MfaVerdict> AuthenticateAsync(string host, int port, bool failOpen);

    private async Task AssertRowAsync(string host, int port, string expectedReason, string logged)
    {
        foreach (var failOpen in CanFailOpen ? new[] { false, true } : [false])
        {
            var verdict = await AuthenticateAsync(host, port, failOpen);
            var expected = failOpen && expectedReason == MfaReasons.ServiceUnreachable
                ? (MfaVerdictKind.Accept, MfaReasons.AcceptedServiceUnreachable)
                : (MfaVerdictKind.Deny, expectedReason);
            Assert.Multiple(() =>
            {
                Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo(expected), $"fail open: {failOpen}\n{Log.AllText}");
                Assert.That(Log.AllText, Does.Contain(logged));
            });
        }
    }
}
