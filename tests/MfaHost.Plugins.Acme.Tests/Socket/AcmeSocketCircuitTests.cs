using MfaHost.Client;
using MfaHost.Plugins.Acme.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Plugins.Acme.Tests.Socket;

/// <summary>
/// The circuit breaker through the real host, driven by a FakeTimeProvider given to the host: a
/// service that drops connections opens it (visible in <c>plugins</c>), requests are then answered
/// without reaching the service, and a probe after <c>open_seconds</c> closes it again.
/// </summary>
[TestFixture]
public sealed class AcmeSocketCircuitTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _time = new();
    private AcmeTestServer _server = null!;
    private RunningHost _host = null!;
    private MfaHostClient _client = null!;

    private static string PluginsDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");

    [OneTimeSetUp]
    public async Task StartServerAndHost()
    {
        _server = await AcmeTestServer.StartAsync();
        _server.SetUser("alice", new AcmeUser { OnOtp = AcmeFault.AbortBeforeResponse });
        var ini = $"[plugin]\ntype = acme\n\n[acme]\nserver_url = {_server.BaseUrl}\ntoken = {_server.Token}\n\n[circuit]\nfailures = 3\nopen_seconds = 30\n";
        _host = await RunningHost.StartAsync(PluginsDirectory, new Dictionary<string, string> { ["acme"] = ini }, services: s => s.AddSingleton<TimeProvider>(_time));
        _client = await _host.CreateClientAsync();
    }

    [OneTimeTearDown]
    public async Task StopServerAndHost()
    {
        await _client.DisposeAsync();
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<AuthenticateResult> Otp() =>
        await _client.AuthenticateAsync(new AuthenticateParams { Plugin = "acme", SessionId = Guid.NewGuid().ToString("N"), Username = "alice", MfaPassword = "123456", Protocol = "https" }).WaitAsync(Guard);

    private async Task<string?> Circuit() => (await _client.PluginsAsync().WaitAsync(Guard)).Single(p => p.Name == "acme").Circuit;

    [Test]
    public async Task Opens_after_failures_answers_fast_while_open_and_closes_after_a_successful_probe()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await Otp()).Reason, Is.EqualTo(MfaReasons.ServiceUnreachable));
        }

        var calls = _server.Count("POST", "/otp/verify");
        var fast = await Otp();
        var whileOpen = await Circuit();
        Assert.Multiple(() =>
        {
            Assert.That(whileOpen, Is.EqualTo("open"));
            Assert.That(fast.Reason, Is.EqualTo(MfaReasons.ServiceUnreachable));
            Assert.That(_server.Count("POST", "/otp/verify"), Is.EqualTo(calls), "no request reached the service while open");
        });

        // The service recovers; after open_seconds one probe goes through and closes the circuit.
        _server.SetUser("alice", new AcmeUser());
        _time.Advance(TimeSpan.FromSeconds(30));
        var probe = await Otp();
        var afterProbe = await Circuit();
        Assert.Multiple(() =>
        {
            Assert.That(probe.Verdict, Is.EqualTo("ACCEPT"));
            Assert.That(afterProbe, Is.EqualTo("closed"));
            Assert.That(_host.Logs, Has.Some.Contains("circuit opened after 3 consecutive failures"));
            Assert.That(_host.Logs, Has.Some.Contains("circuit closed"));
        });
    }
}
