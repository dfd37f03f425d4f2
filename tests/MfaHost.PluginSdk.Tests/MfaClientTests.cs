using MfaHost.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace MfaHost.PluginSdk.Tests;

public class MfaClientTests
{
    internal static MfaPluginContext Context() => new()
    {
        InstanceName = "test",
        Configuration = new PluginConfiguration(new ConfigurationBuilder().Build(), "test.ini", Mock.Of<ICredentialStore>()),
        Logger = NullLogger.Instance,
        Credentials = Mock.Of<ICredentialStore>(),
        HttpClientFactory = Mock.Of<IPluginHttpClientFactory>(),
        State = Mock.Of<IStateStore>(),
    };

    private static MfaRequest Request(string? otp) => new()
    {
        Username = "alice",
        MfaIdentity = "alice",
        MfaPassword = otp,
        Session = new MfaSession("s1"),
    };

    private sealed class ScriptedClient(Func<string?, MfaResult> behaviour, bool failOpen = false) : MfaClient(Context(), "Scripted", failOpen)
    {
        public List<string> Calls { get; } = [];

        protected override ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken)
        {
            Calls.Add("push");
            return ValueTask.FromResult(behaviour(null));
        }

        protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken)
        {
            Calls.Add("otp:" + otp);
            return ValueTask.FromResult(behaviour(otp));
        }
    }

    private sealed class OtpOnlyClient() : MfaClient(Context(), "OtpOnly")
    {
        protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken) =>
            ValueTask.FromResult<MfaResult>(otp == "123456");
    }

    [TestCase(null, "push")]
    [TestCase("", "push")]
    [TestCase("123456", "otp:123456")]
    public async Task Dispatches_on_the_password_alone(string? otp, string expected)
    {
        var client = new ScriptedClient(_ => true);
        await client.ExecuteAuthenticateAsync(Request(otp), CancellationToken.None);
        Assert.That(client.Calls, Is.EqualTo(new[] { expected }));
    }

    [Test]
    public async Task A_boolean_becomes_accept_or_deny()
    {
        var accept = await new ScriptedClient(_ => true).ExecuteAuthenticateAsync(Request("1"), CancellationToken.None);
        var deny = await new ScriptedClient(_ => false).ExecuteAuthenticateAsync(Request("1"), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That((accept.Kind, accept.Reason), Is.EqualTo((MfaVerdictKind.Accept, "accepted")));
            Assert.That((deny.Kind, deny.Reason), Is.EqualTo((MfaVerdictKind.Deny, "authentication_failed")));
        });
    }

    [Test]
    public async Task A_verdict_passes_through_unchanged()
    {
        var needInfo = MfaVerdict.NeedInfo("Code from your token: ", "otp", disableEcho: true);
        var result = await new ScriptedClient(_ => needInfo).ExecuteAuthenticateAsync(Request(null), CancellationToken.None);
        Assert.That(result, Is.SameAs(needInfo));
    }

    private static IEnumerable<TestCaseData> Failures()
    {
        yield return new TestCaseData(new MfaAuthenticationFailure("wrong code"), false, MfaVerdictKind.Deny, "authentication_failed", "Authentication failed");
        yield return new TestCaseData(new MfaCommunicationError("HTTP 500"), false, MfaVerdictKind.Deny, "communication_error", "Communication error");
        yield return new TestCaseData(new MfaCommunicationError("HTTP 500"), true, MfaVerdictKind.Deny, "communication_error", "Communication error");
        yield return new TestCaseData(new MfaServiceUnreachable("refused"), false, MfaVerdictKind.Deny, "service_unreachable", "Backend service unreachable");
        // Fail-open is the host's to apply (PluginCallGuard): the plugin reports the service unreachable either way.
        yield return new TestCaseData(new MfaServiceUnreachable("refused"), true, MfaVerdictKind.Deny, "service_unreachable", "Backend service unreachable");
    }

    [TestCaseSource(nameof(Failures))]
    public async Task The_three_failures_map_as_the_spec_says(Exception thrown, bool failOpen, MfaVerdictKind kind, string reason, string message)
    {
        var verdict = await new ScriptedClient(_ => throw thrown, failOpen).ExecuteAuthenticateAsync(Request("1"), CancellationToken.None);
        Assert.That((verdict.Kind, verdict.Reason, verdict.Message), Is.EqualTo((kind, reason, message)));
    }

    [Test]
    public void Any_other_exception_propagates_to_the_host()
    {
        var client = new ScriptedClient(_ => throw new InvalidOperationException("bug"));
        Assert.ThrowsAsync<InvalidOperationException>(async () => await client.ExecuteAuthenticateAsync(Request("1"), CancellationToken.None));
    }

    [Test]
    public async Task Capabilities_follow_the_overridden_operations_and_the_base_reports_not_supported()
    {
        var otpOnly = new OtpOnlyClient();
        var push = await otpOnly.ExecuteAuthenticateAsync(Request(null), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(new ScriptedClient(_ => true).Capabilities, Is.EqualTo(MfaCapabilities.Push | MfaCapabilities.Otp));
            Assert.That(otpOnly.Capabilities, Is.EqualTo(MfaCapabilities.Otp));
            Assert.That((push.Kind, push.Reason), Is.EqualTo((MfaVerdictKind.Deny, "not_supported")));
        });
    }
}
