using MfaHost.Plugins.Acme.Tests.Support;
using MfaHost.Plugins.Acme.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Plugins.Acme.Tests;

/// <summary>
/// The SDK's bounded connection pool (<c>[http]</c>) as the acme plugin uses it, against real loopback
/// servers: the connections the server sees are counted from its request log (Kestrel's connection ids).
/// </summary>
/// <remarks>Each test starts its own server (the fixture's is not used), so the connections it counts are its own.</remarks>
public class AcmeConnectionPoolTests : AcmeClientFixture<FakeTimeProvider>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private TestCertificateAuthority _ca = null!;

    [OneTimeSetUp]
    public void CreateCa() => _ca = new TestCertificateAuthority();

    [OneTimeTearDown]
    public void DisposeCa() => _ca.Dispose();

    [Test]
    public async Task Concurrent_pushes_share_at_most_max_connections()
    {
        await using var server = await AcmeTestServer.StartAsync();
        var users = Enumerable.Range(0, 40).Select(i => $"pool{i}").ToList();
        foreach (var user in users)
        {
            // A slow service: every answer takes a while, so requests overlap and would each open a connection.
            server.SetUser(user, new AcmeUser { WaitingPolls = 2, Delay = TimeSpan.FromMilliseconds(50) });
        }

        await using var client = AcmeInstance.Create(Temp, AcmeInstance.Ini(server.BaseUrl, "poll_interval = 0.05\nrequest_timeout = 30\n\n[http]\nmax_connections = 3\n"), TimeProvider.System, Log);
        var verdicts = await Task.WhenAll(users.Select(u => client.ExecuteAuthenticateAsync(AcmeInstance.Request(u, session: u), CancellationToken.None))).WaitAsync(Guard);

        Assert.Multiple(() =>
        {
            Assert.That(verdicts.Select(v => v.Kind), Is.All.EqualTo(MfaVerdictKind.Accept), Log.AllText);
            Assert.That(server.Count("POST", "/push"), Is.EqualTo(users.Count));
            Assert.That(server.ConnectionsSeen, Is.InRange(1, 3));
        });
    }

    [Test]
    public async Task Sequential_requests_keep_one_connection_alive()
    {
        await using var server = await AcmeTestServer.StartAsync();
        server.SetUser("alice");
        await using var client = AcmeInstance.Create(Temp, AcmeInstance.Ini(server.BaseUrl, "request_timeout = 30\n"), TimeProvider.System, Log);
        for (var i = 0; i < 5; i++)
        {
            var verdict = await client.ExecuteAuthenticateAsync(AcmeInstance.Request("alice", "123456"), CancellationToken.None);
            Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Accept), Log.AllText);
        }

        Assert.That(server.ConnectionsSeen, Is.EqualTo(1));
    }

    /// <summary>
    /// With one connection, held by a request the service never answers, the next request waits in the
    /// pool's queue; its request_timeout covers that wait, and it never reaches the service.
    /// </summary>
    [Test]
    public async Task A_request_waiting_for_a_busy_pool_gets_service_unreachable_at_its_timeout()
    {
        await using var server = await AcmeTestServer.StartAsync();
        server.SetUser("hangs", new AcmeUser { OnPushStart = AcmeFault.Hang });
        server.SetUser("alice");
        var ini = "\n[http]\nmax_connections = 1\n";
        var context = AcmeInstance.Context(Temp, AcmeInstance.Ini(server.BaseUrl, "request_timeout = 300\n" + ini), TimeProvider.System, Log);
        await using var holding = new AcmeClient(context);
        using var stop = new CancellationTokenSource();
        var held = holding.ExecuteAuthenticateAsync(AcmeInstance.Request("hangs"), stop.Token);
        await server.WaitForAsync(s => s.Count("POST", "/push") == 1).WaitAsync(Guard);

        // Another client of the same instance's factory (another request_timeout), so the same pool.
        using var http = context.HttpClientFactory.CreateClient(new PluginHttpOptions { Timeout = TimeSpan.FromSeconds(1), AllowAutoRedirect = false });
        var url = new Uri(server.BaseUrl + "/ping");
        var failure = Assert.CatchAsync(async () => await http.GetAsync(url));
        var classified = HttpFailureClassifier.Classify(failure!, $"GET {url}", TimeSpan.FromSeconds(1));

        await stop.CancelAsync();
        Assert.That(async () => await held.WaitAsync(Guard), Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(() =>
        {
            Assert.That(classified, Is.InstanceOf<MfaServiceUnreachable>());
            Assert.That(classified.Message, Does.Contain("no answer within 1 s"));
            Assert.That(server.Count("GET", "/ping"), Is.Zero, "the queued request must not have reached the service");
            Assert.That(server.ConnectionsSeen, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Https_uses_http2_when_the_service_offers_it_and_http1_when_told_not_to()
    {
        await using var server = await AcmeTestServer.StartAsync(certificate: _ca.IssueServerCertificate("localhost"), host: "localhost");
        server.SetUser("alice");
        var pem = _ca.WriteRootPem(Temp.Combine("ca.pem"));
        foreach (var extra in new[] { string.Empty, "\n[http]\nhttp2 = no\n" })
        {
            await using var client = AcmeInstance.Create(Temp, AcmeInstance.Ini(server.BaseUrl, $"ca_file = {pem}\n{extra}"), TimeProvider.System, Log);
            var verdict = await client.ExecuteAuthenticateAsync(AcmeInstance.Request("alice", "123456"), CancellationToken.None);
            Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Accept), Log.AllText);
        }

        Assert.That(server.Requests.Select(r => r.Protocol), Is.EqualTo(new[] { "HTTP/2", "HTTP/1.1" }));
    }

    [Test]
    public void A_max_connections_out_of_range_is_a_configuration_error_naming_the_option()
    {
        var error = Assert.Throws<MfaConfigurationException>(() =>
            AcmeInstance.Create(Temp, AcmeInstance.Ini(new Uri("http://127.0.0.1:1/api/v1"), "\n[http]\nmax_connections = 0\n"), TimeProvider.System, Log));
        Assert.That(error!.Message, Does.Contain("max_connections"));
    }
}
