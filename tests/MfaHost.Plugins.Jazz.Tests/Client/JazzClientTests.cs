using System.Net;
using System.Security.Cryptography.X509Certificates;
using MfaHost.Plugins.Jazz.Client;
using MfaHost.Plugins.Jazz.Tests.Support;
using MfaHost.Plugins.Jazz.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;

namespace MfaHost.Plugins.Jazz.Tests.Client;

/// <summary>JazzClient against the real test Jazz server over HTTPS, in each of its modes.</summary>
[TestFixture]
public sealed class JazzClientTests : JazzServerFixture
{
    [TestCase(JazzServerMode.Form)]
    [TestCase(JazzServerMode.FormChallengeOn200)]
    public async Task Form_challenge_logs_in_with_j_security_check_and_serves_the_resource(JazzServerMode mode)
    {
        var server = await StartAsync(mode);
        using var client = CreateClient(server);

        var method = await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None);

        Assert.That(method, Is.EqualTo(JazzAuthenticationMethod.Form));
        Assert.That(server.Requests.Count(r => r.Path == "/ccm/j_security_check" && r.Method == "POST"), Is.EqualTo(1));
        Assert.That(server.Requests[^1].Path, Is.EqualTo("/ccm/process/project-areas"));
        Assert.That(server.Requests[^1].Status, Is.EqualTo(200));
    }

    [Test]
    public async Task Form_login_goes_to_auth_url_when_it_differs_from_url()
    {
        var server = await StartAsync(JazzServerMode.Form);
        using var client = CreateClient(server, authUrl: server.JtsUrl);

        Assert.That(await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None), Is.EqualTo(JazzAuthenticationMethod.Form));
        Assert.That(server.CountRequests("/jts/j_security_check"), Is.EqualTo(1));
        Assert.That(server.CountRequests("/ccm/j_security_check"), Is.Zero);
    }

    [Test]
    public async Task Jas_challenge_probes_with_prompt_none_then_sends_basic_to_the_authorization_url_once()
    {
        var server = await StartAsync(JazzServerMode.Jas);
        using var client = CreateClient(server);

        var method = await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None);

        Assert.That(method, Is.EqualTo(JazzAuthenticationMethod.Jas));
        var authorize = server.Requests.Where(r => r.Path == "/jts/oidc/endpoint/jazzop/authorize").ToList();
        Assert.That(authorize, Has.Count.EqualTo(3));
        Assert.Multiple(() =>
        {
            Assert.That(authorize[0].Query, Does.Contain("prompt=none"));
            Assert.That(authorize[0].HadAuthorization, Is.False);
            Assert.That(authorize[1].Query, Does.Not.Contain("prompt=none"));
            Assert.That(authorize[1].HadAuthorization, Is.False);
            Assert.That(authorize[2].HadAuthorization, Is.True);
            Assert.That(server.Requests.Count(r => r.HadAuthorization), Is.EqualTo(1), "Basic is sent to the authorization URL once only");
            Assert.That(server.Requests[^1].Path, Is.EqualTo("/ccm/process/project-areas"));
            Assert.That(server.Requests[^1].Status, Is.EqualTo(200));
        });
    }

    [Test]
    public async Task Basic_only_challenge_asks_again_once_with_basic()
    {
        var server = await StartAsync(JazzServerMode.Basic);
        using var client = CreateClient(server);

        Assert.That(await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None), Is.EqualTo(JazzAuthenticationMethod.Basic));

        Assert.That(server.Requests.Select(r => (r.Path, r.HadAuthorization)), Is.EqualTo(new[]
        {
            ("/ccm/process/project-areas", false),
            ("/ccm/process/project-areas", true),
        }));
    }

    [TestCase(JazzServerMode.Form)]
    [TestCase(JazzServerMode.FormChallengeOn200)]
    [TestCase(JazzServerMode.Jas)]
    [TestCase(JazzServerMode.Basic)]
    public async Task Wrong_password_is_an_authentication_failure(JazzServerMode mode)
    {
        var server = await StartAsync(mode);
        using var client = CreateClient(server, password: "wrong-password");

        var e = Assert.ThrowsAsync<JazzAuthenticationFailedException>(() => client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None));

        Assert.That(e!.Message, Does.Not.Contain("wrong-password"));
        Assert.That(server.Requests, Has.Count.LessThanOrEqualTo(6), "no loop");
    }

    [Test]
    public async Task Kerberos_challenge_is_unsupported_and_named()
    {
        var server = await StartAsync(JazzServerMode.Kerberos);
        using var client = CreateClient(server);

        var e = Assert.ThrowsAsync<JazzUnsupportedAuthenticationException>(() => client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None));

        Assert.That(e!.Challenge, Is.EqualTo("Negotiate"));
        Assert.That(e.Message, Does.Contain("Kerberos").And.Contain("Negotiate"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Jas_whose_login_page_asks_for_kerberos_is_unsupported_and_names_the_challenge()
    {
        var server = await StartAsync(JazzServerMode.JasKerberos);
        using var client = CreateClient(server);

        var e = Assert.ThrowsAsync<JazzUnsupportedAuthenticationException>(() => client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None));

        Assert.That(e!.Challenge, Is.EqualTo("Negotiate"));
        Assert.That(server.Requests.Count(r => r.HadAuthorization), Is.Zero, "no password sent to a Kerberos login");
    }

    [Test]
    public async Task Unknown_scheme_is_unsupported_and_named()
    {
        var server = await StartAsync(JazzServerMode.UnknownScheme);
        using var client = CreateClient(server);

        var e = Assert.ThrowsAsync<JazzUnsupportedAuthenticationException>(() => client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None));

        Assert.That(e!.Challenge, Is.EqualTo("Digest"));
    }

    [Test]
    public async Task A_401_without_challenge_is_unsupported()
    {
        var server = await StartAsync(JazzServerMode.NoChallenge);
        using var client = CreateClient(server);

        var e = Assert.ThrowsAsync<JazzUnsupportedAuthenticationException>(() => client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("without WWW-Authenticate"));
    }

    [Test]
    public async Task A_server_that_serves_without_authentication_is_not_a_jazz_server()
    {
        var server = await StartAsync(JazzServerMode.NotJazz);
        using var client = CreateClient(server);

        var e = Assert.ThrowsAsync<JazzProtocolException>(() => client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("not a Jazz server"));
    }

    [Test]
    public async Task A_server_error_on_the_probe_is_reported_with_its_status()
    {
        var server = await StartAsync(JazzServerMode.ServerError);
        using var client = CreateClient(server);

        var e = Assert.ThrowsAsync<JazzServerErrorException>(() => client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None));

        Assert.That(e!.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
    }

    [Test]
    public async Task A_server_that_always_challenges_fails_after_one_retry_without_looping()
    {
        var server = await StartAsync(JazzServerMode.AlwaysChallenge);
        using var client = CreateClient(server);

        Assert.ThrowsAsync<JazzAuthenticationFailedException>(() => client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None));

        Assert.That(server.Requests.Select(r => r.Method + " " + r.Path), Is.EqualTo(new[]
        {
            "GET /ccm/process/project-areas",
            "POST /ccm/j_security_check",
            "GET /ccm/process/project-areas",
        }));
    }

    [TestCase(JazzServerMode.Form, 303)]
    [TestCase(JazzServerMode.Form, 307)]
    [TestCase(JazzServerMode.Jas, 303)]
    [TestCase(JazzServerMode.Jas, 307)]
    public async Task Redirects_303_and_307_during_a_challenge_are_followed_like_302(JazzServerMode mode, int status)
    {
        var server = await StartAsync(mode);
        server.LoginRedirectStatus = status;
        using var client = CreateClient(server);

        var method = await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None);

        Assert.That(method, Is.EqualTo(mode == JazzServerMode.Jas ? JazzAuthenticationMethod.Jas : JazzAuthenticationMethod.Form));
        Assert.That(server.Requests.Where(r => r.Status == status), Is.Not.Empty, "the server did redirect with " + status);
        Assert.That(server.Requests[^1].Status, Is.EqualTo(200));
    }

    [Test]
    public void Plain_http_url_is_refused_unless_insecure_is_allowed()
    {
        var factory = new PluginHttpClientFactory(PluginConfigurations.Empty());
        var options = new JazzClientOptions { Url = new Uri("http://elm.example.com/ccm"), Username = "alice", Password = Password };

        var e = Assert.Throws<ArgumentException>(() => JazzClient.Create(factory, options));

        Assert.That(e!.Message, Does.Contain("http://elm.example.com/ccm").And.Contain("unencrypted"));
        using var allowed = JazzClient.Create(factory, new JazzClientOptions { Url = options.Url, Username = "alice", Password = Password, AllowInsecure = true });
        Assert.That(allowed.Url, Is.EqualTo(new Uri("http://elm.example.com/ccm")));
    }

    [Test]
    public async Task Plain_http_works_when_insecure_is_allowed()
    {
        var server = await JazzTestServer.StartAsync(Ca, JazzServerMode.Form, plainHttp: true);
        Servers.Add(server);
        using var client = CreateClient(server, allowInsecure: true);

        Assert.That(await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None), Is.EqualTo(JazzAuthenticationMethod.Form));
    }

    [Test]
    public async Task Untrusted_certificate_is_a_communication_error_and_nothing_is_sent()
    {
        using var otherCa = new TestCertificateAuthority("Some Other CA");
        var server = await StartAsync(JazzServerMode.Form);
        var options = new JazzClientOptions
        {
            Url = server.Url,
            Username = "alice",
            Password = Password,
            CaFile = otherCa.WriteRootPem(Temp.Combine("other-ca.pem")),
        };
        using var client = JazzClient.Create(new PluginHttpClientFactory(PluginConfigurations.Empty()), options, Logger);

        var e = Assert.ThrowsAsync<MfaCommunicationError>(() => client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("TLS"));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task Cancellation_by_the_caller_propagates_as_cancellation()
    {
        var server = await StartAsync(JazzServerMode.Form);
        using var client = CreateClient(server);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.That(
            async () => await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, cancelled.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    private async Task<JazzTestServer> StartAsync(JazzServerMode mode)
    {
        var server = await JazzTestServer.StartAsync(ServerCertificate, mode);
        Servers.Add(server);
        return server;
    }

    private JazzClient CreateClient(JazzTestServer server, string password = Password, Uri? authUrl = null, bool allowInsecure = false)
    {
        var options = new JazzClientOptions
        {
            Url = server.Url,
            AuthUrl = authUrl,
            Username = "alice",
            Password = password,
            CaFile = CaFile,
            AllowInsecure = allowInsecure,
        };
        return JazzClient.Create(new PluginHttpClientFactory(PluginConfigurations.Empty()), options, Logger);
    }
}
