using MfaHost.Plugins.Acme.Tests.Support;
using MfaHost.Plugins.Acme.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;

namespace MfaHost.Plugins.Acme.Tests;

/// <summary>HTTPS against the test server with certificates from a throw-away CA: validation is real, never disabled.</summary>
public class AcmeClientTlsTests
{
    private TestCertificateAuthority _ca = null!;
    private AcmeTestServer _server = null!;
    private AcmeTestServer _wrongHostServer = null!;
    private TempDirectory _temp = null!;
    private CapturingLogger _log = null!;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        _ca = new TestCertificateAuthority();
        _server = await AcmeTestServer.StartAsync(certificate: _ca.IssueServerCertificate("localhost"), host: "localhost");
        _server.SetUser("alice");
        _wrongHostServer = await AcmeTestServer.StartAsync(certificate: _ca.IssueServerCertificate("acme.example"), host: "127.0.0.1");
        _wrongHostServer.SetUser("alice");
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        await _server.DisposeAsync();
        await _wrongHostServer.DisposeAsync();
        _ca.Dispose();
    }

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        _log = new CapturingLogger();
    }

    [TearDown]
    public void TearDown()
    {
        TestContext.Out.WriteLine(_log.AllText);
        _temp.Dispose();
        _log.Dispose();
    }

    private async Task<MfaVerdict> Otp(Uri url, string extra)
    {
        var client = AcmeInstance.Create(_temp, AcmeInstance.Ini(url, extra), TimeProvider.System, _log);
        return await client.ExecuteAuthenticateAsync(AcmeInstance.Request("alice", "123456"), CancellationToken.None);
    }

    [Test]
    public async Task Https_with_acme_ca_file_trusts_that_ca()
    {
        _ca.WriteRootPem(_temp.Combine("acme-ca.pem"));
        var verdict = await Otp(_server.BaseUrl, "ca_file = ../acme-ca.pem\n");
        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Accept), _log.AllText);
    }

    [Test]
    public async Task Https_with_tls_ca_file_trusts_that_ca_when_acme_has_none()
    {
        var pem = _ca.WriteRootPem(_temp.Combine("tls-ca.pem"));
        var verdict = await Otp(_server.BaseUrl, $"\n[tls]\nca_file = {pem}\n");
        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Accept), _log.AllText);
    }

    [Test]
    public async Task Without_a_ca_file_the_system_store_is_used_and_does_not_trust_the_test_ca()
    {
        var verdict = await Otp(_server.BaseUrl, string.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.CommunicationError));
            Assert.That(_log.AllText, Does.Contain("TLS handshake failed"));
        });
    }

    [Test]
    public async Task A_certificate_for_another_host_is_a_communication_error_even_from_the_trusted_ca()
    {
        var pem = _ca.WriteRootPem(_temp.Combine("acme-ca.pem"));
        var verdict = await Otp(_wrongHostServer.BaseUrl, $"ca_file = {pem}\n");
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.CommunicationError));
            Assert.That(_log.AllText, Does.Contain("TLS handshake failed"));
            Assert.That(_wrongHostServer.Count("POST", "/otp/verify"), Is.Zero, "nothing was sent over the rejected connection");
        });
    }

    /// <summary>Over HTTPS the exchange is HTTP/2: a dropped stream is the same row as a dropped HTTP/1.1 connection.</summary>
    [TestCase(AcmeFault.AbortMidResponse)]
    [TestCase(AcmeFault.AbortBeforeResponse)]
    public async Task Over_http2_a_dropped_answer_is_service_unreachable(AcmeFault fault)
    {
        var user = $"h2drop-{fault}";
        _server.SetUser(user, new AcmeUser { OnOtp = fault });
        var pem = _ca.WriteRootPem(_temp.Combine("acme-ca.pem"));
        var client = AcmeInstance.Create(_temp, AcmeInstance.Ini(_server.BaseUrl, $"ca_file = {pem}\nrequest_timeout = 30\n"), TimeProvider.System, _log);
        var verdict = await client.ExecuteAuthenticateAsync(AcmeInstance.Request(user, "123456"), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.ServiceUnreachable), _log.AllText);
            Assert.That(_server.Requests.Where(r => r.Path == "/otp/verify").Select(r => r.Protocol), Has.Some.EqualTo("HTTP/2"));
        });
    }
}
