using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
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
    private const string ItemsPath = "/resources/items";

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
    public async Task Basic_only_challenge_sends_basic_on_this_and_every_later_request()
    {
        var server = await StartAsync(JazzServerMode.Basic);
        using var client = CreateClient(server);

        Assert.That(await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None), Is.EqualTo(JazzAuthenticationMethod.Basic));
        server.ClearRequestLog();
        using var second = await client.GetAsync("/authenticated/identity", CancellationToken.None);

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
        Assert.That(server.Requests[0].HadAuthorization, Is.True);
        Assert.That(client.LoginCount, Is.EqualTo(1));
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

    [TestCase(JazzServerMode.Form)]
    [TestCase(JazzServerMode.Jas)]
    public async Task After_the_server_expires_sessions_the_client_logs_in_again_and_the_next_get_succeeds(JazzServerMode mode)
    {
        var server = await StartAsync(mode);
        using var client = CreateClient(server);
        await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None);

        server.ExpireAllSessions();
        using var response = await client.GetAsync(JazzTestServer.ProbePath, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(client.LoginCount, Is.EqualTo(2));
        Assert.That(server.SuccessfulLogins, Is.EqualTo(2));
    }

    [Test]
    public async Task Jas_with_a_valid_authorization_server_login_retries_without_sending_credentials_again()
    {
        var server = await StartAsync(JazzServerMode.Jas);
        using var client = CreateClient(server);
        await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None);

        server.ExpireApplicationSessions();
        server.ClearRequestLog();
        using var response = await client.GetAsync(JazzTestServer.ProbePath, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(server.Requests.Count(r => r.HadAuthorization), Is.Zero);
        Assert.That(server.SuccessfulLogins, Is.EqualTo(1));
        Assert.That(server.Requests.Single(r => r.Path.EndsWith("/authorize", StringComparison.Ordinal)).Query, Does.Contain("prompt=none"));
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
        server.ExpireAllSessions();
        using var response = await client.SendAsync(Post(ItemsPath, "redirected"), CancellationToken.None);

        Assert.That(method, Is.EqualTo(mode == JazzServerMode.Jas ? JazzAuthenticationMethod.Jas : JazzAuthenticationMethod.Form));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(server.AppliedCount("redirected"), Is.EqualTo(1));
        Assert.That(server.Requests.Where(r => r.Status == status), Is.Not.Empty, "the server did redirect with " + status);
    }

    [Test]
    public async Task Concurrent_requests_that_meet_an_expired_session_log_in_once()
    {
        var server = await StartAsync(JazzServerMode.Form);
        using var client = CreateClient(server);
        await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None);
        server.ExpireAllSessions();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetAsync(JazzTestServer.ProbePath, CancellationToken.None)));

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(client.LoginCount, Is.EqualTo(2));
        Assert.That(server.SuccessfulLogins, Is.EqualTo(2));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [TestCase(JazzServerMode.Form)]
    [TestCase(JazzServerMode.FormChallengeOn200)]
    [TestCase(JazzServerMode.Jas)]
    [TestCase(JazzServerMode.Basic)]
    public async Task A_post_across_session_expiry_is_replayed_once_and_applied_exactly_once(JazzServerMode mode)
    {
        var server = await StartAsync(mode);
        using var client = CreateClient(server);
        await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None);

        server.ExpireAllSessions();
        server.ClearRequestLog();
        using var response = await client.SendAsync(Post(ItemsPath, "item-1"), CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("created item-1"));
        Assert.That(server.AppliedCount("item-1"), Is.EqualTo(1));
        var expectedPosts = mode == JazzServerMode.Basic ? 1 : 2; // Basic needs no session: nothing expires
        Assert.That(server.Requests.Count(r => r.Method == "POST" && r.Path == "/ccm/resources/items"), Is.EqualTo(expectedPosts));
    }

    [Test]
    public async Task A_post_before_any_login_is_applied_once_after_the_login()
    {
        var server = await StartAsync(JazzServerMode.Form);
        using var client = CreateClient(server);

        using var response = await client.SendAsync(Post(ItemsPath, "first"), CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(server.AppliedCount("first"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_write_answered_with_a_server_error_is_returned_and_never_replayed()
    {
        var server = await StartAsync(JazzServerMode.Form);
        using var client = CreateClient(server);
        await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None);
        server.ClearRequestLog();

        using var response = await client.SendAsync(Post("/resources/broken", "fragile"), CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(server.AppliedCount("fragile"), Is.EqualTo(1));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_successful_write_is_never_replayed()
    {
        var server = await StartAsync(JazzServerMode.Jas);
        using var client = CreateClient(server);
        await client.VerifyCredentialsAsync(JazzTestServer.ProbePath, CancellationToken.None);
        server.ClearRequestLog();

        using var response = await client.SendAsync(Post(ItemsPath, "once"), CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
        Assert.That(server.AppliedCount("once"), Is.EqualTo(1));
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

    private static HttpRequestMessage Post(string path, string body) =>
        new(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };

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
