using MfaHost.Plugins.Acme.Tests.Support;
using MfaHost.Plugins.Acme.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Plugins.Acme.Tests;

/// <summary>The SDK's circuit breaker, as the acme plugin gets it: opened by a service that drops connections, closed by a probe.</summary>
public class AcmeClientCircuitTests : AcmeClientFixture<FakeTimeProvider>
{
    private AcmeClient Client(string extra = "") =>
        AcmeInstance.Create(Temp, AcmeInstance.Ini(Server.BaseUrl, "[circuit]\nfailures = 3\nopen_seconds = 30\n" + extra), Time, Log);

    private static async Task<MfaVerdict> Otp(AcmeClient client, string user) =>
        await client.ExecuteAuthenticateAsync(AcmeInstance.Request(user, "123456"), CancellationToken.None);

    private int Calls() => Server.Count("POST", "/otp/verify");

    [Test]
    public async Task Opens_after_consecutive_unreachable_answers_then_answers_without_calling_the_service()
    {
        var user = $"down-{Guid.NewGuid():N}";
        Server.SetUser(user, new AcmeUser { OnOtp = AcmeFault.AbortBeforeResponse });
        var client = Client();
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await Otp(client, user)).Reason, Is.EqualTo(MfaReasons.ServiceUnreachable));
        }

        var calls = Calls();
        var fast = await Otp(client, user);
        Assert.Multiple(() =>
        {
            Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Open));
            Assert.That(fast.Reason, Is.EqualTo(MfaReasons.ServiceUnreachable));
            Assert.That(Calls(), Is.EqualTo(calls), "no request while open");
        });
    }

    [Test]
    public async Task A_probe_after_open_seconds_closes_it_when_the_service_is_back()
    {
        var user = $"back-{Guid.NewGuid():N}";
        Server.SetUser(user, new AcmeUser { OnOtp = AcmeFault.AbortBeforeResponse });
        var client = Client();
        for (var i = 0; i < 3; i++)
        {
            await Otp(client, user);
        }

        Server.SetUser(user, new AcmeUser());
        Time.Advance(TimeSpan.FromSeconds(29));
        Assert.That((await Otp(client, user)).Reason, Is.EqualTo(MfaReasons.ServiceUnreachable), "still open");
        Time.Advance(TimeSpan.FromSeconds(1));
        var probe = await Otp(client, user);
        Assert.Multiple(() =>
        {
            Assert.That(probe.Kind, Is.EqualTo(MfaVerdictKind.Accept));
            Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
        });
    }

    [Test]
    public async Task A_failed_probe_reopens_it()
    {
        var user = $"still-{Guid.NewGuid():N}";
        Server.SetUser(user, new AcmeUser { OnOtp = AcmeFault.AbortBeforeResponse });
        var client = Client();
        for (var i = 0; i < 3; i++)
        {
            await Otp(client, user);
        }

        Time.Advance(TimeSpan.FromSeconds(30));
        var calls = Calls();
        await Otp(client, user);
        await Otp(client, user);
        Assert.Multiple(() =>
        {
            Assert.That(Calls(), Is.EqualTo(calls + 1), "one probe, then open again");
            Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Open));
        });
    }

    [Test]
    public async Task While_open_ignore_connection_error_accepts()
    {
        var user = $"open-{Guid.NewGuid():N}";
        Server.SetUser(user, new AcmeUser { OnOtp = AcmeFault.AbortBeforeResponse });
        var client = AcmeInstance.Create(Temp, AcmeInstance.Ini(Server.BaseUrl, "ignore_connection_error = yes\n[circuit]\nfailures = 2\n"), Time, Log);
        await Otp(client, user);
        await Otp(client, user);
        var calls = Calls();
        var fast = await Otp(client, user);
        Assert.Multiple(() =>
        {
            Assert.That((fast.Kind, fast.Reason), Is.EqualTo((MfaVerdictKind.Accept, MfaReasons.AcceptedServiceUnreachable)));
            Assert.That(Calls(), Is.EqualTo(calls));
        });
    }

    [Test]
    public async Task Server_errors_do_not_open_it()
    {
        var user = $"broken-{Guid.NewGuid():N}";
        Server.SetUser(user, new AcmeUser { OnOtp = AcmeFault.ServerError });
        var client = Client();
        for (var i = 0; i < 10; i++)
        {
            Assert.That((await Otp(client, user)).Reason, Is.EqualTo(MfaReasons.CommunicationError));
        }

        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
    }
}
