using System.Security.Cryptography.X509Certificates;
using MfaHost.Plugins.Jazz.Tests.Support;
using MfaHost.Plugins.Jazz.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;

namespace MfaHost.Plugins.Jazz.Tests;

/// <summary>The jazz plugin called directly (as the host calls it) against the real test Jazz server.</summary>
[TestFixture]
public sealed class JazzMfaClientTests : JazzServerFixture
{

    [TestCase(JazzServerMode.Form, "form")]
    [TestCase(JazzServerMode.FormChallengeOn200, "form")]
    [TestCase(JazzServerMode.Jas, "jas")]
    [TestCase(JazzServerMode.Basic, "basic")]
    public async Task Right_password_is_accepted_with_the_auth_method(JazzServerMode mode, string authMethod)
    {
        var server = await StartAsync(mode);
        await using var plugin = CreatePlugin(server);

        var verdict = await plugin.ExecuteAuthenticateAsync(Request(Password), CancellationToken.None);

        Assert.That(verdict.IsAccept, Is.True, verdict.Message);
        Assert.That(verdict.Metadata["auth_method"], Is.EqualTo(authMethod));
    }

    [TestCase(JazzServerMode.Form)]
    [TestCase(JazzServerMode.Jas)]
    [TestCase(JazzServerMode.Basic)]
    public async Task Wrong_password_is_denied_as_authentication_failed(JazzServerMode mode)
    {
        var server = await StartAsync(mode);
        await using var plugin = CreatePlugin(server);

        var verdict = await plugin.ExecuteAuthenticateAsync(Request("wrong-password"), CancellationToken.None);

        Assert.That(verdict.IsDeny, Is.True);
        Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
    }

    [Test]
    public async Task No_password_is_denied_with_a_clear_message_and_nothing_is_sent()
    {
        var server = await StartAsync(JazzServerMode.Form);
        await using var plugin = CreatePlugin(server);

        var verdict = await plugin.ExecuteAuthenticateAsync(Request(null), CancellationToken.None);

        Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
        Assert.That(verdict.Message, Does.Contain("No password"));
        Assert.That(server.Requests, Is.Empty);
    }

    [TestCase(JazzServerMode.Kerberos, "Negotiate")]
    [TestCase(JazzServerMode.JasKerberos, "Negotiate")]
    [TestCase(JazzServerMode.UnknownScheme, "Digest")]
    [TestCase(JazzServerMode.NoChallenge, "without WWW-Authenticate")]
    [TestCase(JazzServerMode.NotJazz, "not a Jazz server")]
    [TestCase(JazzServerMode.ServerError, "500")]
    public async Task Unsupported_or_foreign_answers_are_communication_errors_naming_the_reason(JazzServerMode mode, string named)
    {
        var server = await StartAsync(mode);
        await using var plugin = CreatePlugin(server);

        var verdict = await plugin.ExecuteAuthenticateAsync(Request(Password), CancellationToken.None);

        Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.CommunicationError));
        Assert.That(Logger.AllText, Does.Contain(named));
    }

    [Test]
    public async Task A_server_that_always_challenges_is_denied_after_one_retry()
    {
        var server = await StartAsync(JazzServerMode.AlwaysChallenge);
        await using var plugin = CreatePlugin(server);

        var verdict = await plugin.ExecuteAuthenticateAsync(Request(Password), CancellationToken.None);

        Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
        Assert.That(server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task An_unreachable_server_is_service_unreachable()
    {
        var server = await StartAsync(JazzServerMode.Form);
        var url = server.Url;
        await server.DisposeAsync();
        Servers.Clear();
        await using var plugin = CreatePlugin(url);

        var verdict = await plugin.ExecuteAuthenticateAsync(Request(Password), CancellationToken.None);

        Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.ServiceUnreachable));
    }

    [Test]
    public async Task Each_request_uses_a_fresh_session()
    {
        var server = await StartAsync(JazzServerMode.Form);
        await using var plugin = CreatePlugin(server);

        Assert.That((await plugin.ExecuteAuthenticateAsync(Request(Password), CancellationToken.None)).IsAccept, Is.True);
        var second = await plugin.ExecuteAuthenticateAsync(Request("wrong-password"), CancellationToken.None);

        Assert.That(second.IsDeny, Is.True, "a session of an earlier request must never serve a later one");
        Assert.That(server.SuccessfulLogins, Is.EqualTo(1));
    }

    [Test]
    public async Task With_otp_suffix_the_one_time_password_is_appended_to_the_password()
    {
        var server = await StartAsync(JazzServerMode.Jas);
        server.Users["bob"] = "Secret-7" + "123456";
        await using var plugin = CreatePlugin(server, "otp_suffix = yes\n");

        var accepted = await plugin.ExecuteAuthenticateAsync(Request("Secret-7", "bob", otp: "123456"), CancellationToken.None);
        var withoutOtp = await plugin.ExecuteAuthenticateAsync(Request("Secret-7", "bob"), CancellationToken.None);

        Assert.That(accepted.IsAccept, Is.True, accepted.Message);
        Assert.That(withoutOtp.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
        Assert.That(plugin.Capabilities, Is.EqualTo(MfaCapabilities.Password | MfaCapabilities.Otp));
    }

    [Test]
    public async Task Without_otp_suffix_a_one_time_password_is_ignored()
    {
        var server = await StartAsync(JazzServerMode.Form);
        await using var plugin = CreatePlugin(server);

        var verdict = await plugin.ExecuteAuthenticateAsync(Request(Password, otp: "123456"), CancellationToken.None);

        Assert.That(verdict.IsAccept, Is.True, verdict.Message);
        Assert.That(plugin.Capabilities, Is.EqualTo(MfaCapabilities.Password));
    }

    [Test]
    public void Http_url_is_refused_at_configuration_time_naming_file_section_option_and_value()
    {
        var path = Temp.Combine("insecure.ini");

        var e = Assert.Throws<MfaConfigurationException>(() => CreatePlugin(new Uri("http://elm.example.com/ccm"), path: path));

        Assert.That(e!.Message, Does.Contain(path).And.Contain("jazz").And.Contain("url").And.Contain("http://elm.example.com/ccm").And.Contain("allow_insecure"));
    }

    [Test]
    public async Task Http_url_is_accepted_with_allow_insecure_and_works()
    {
        var server = await JazzTestServer.StartAsync(Ca, JazzServerMode.Basic, plainHttp: true);
        Servers.Add(server);
        await using var plugin = CreatePlugin(server.Url, "allow_insecure = yes\n");

        var verdict = await plugin.ExecuteAuthenticateAsync(Request(Password), CancellationToken.None);

        Assert.That(verdict.IsAccept, Is.True, verdict.Message);
    }

    [TestCase("", "url", "required")]
    [TestCase("url = not a url\n", "url", "not an https:// URL")]
    [TestCase("url = https://elm.example.com/ccm\nauth_url = http://elm.example.com/jts\n", "auth_url", "plain http://")]
    [TestCase("url = https://elm.example.com/ccm\nprobe_path = process\n", "probe_path", "starting with '/'")]
    [TestCase("url = https://elm.example.com/ccm\nrequest_timeout = soon\n", "request_timeout", "soon")]
    [TestCase("url = https://elm.example.com/ccm\nallow_insecure = maybe\n", "allow_insecure", "maybe")]
    [TestCase("url = https://elm.example.com/ccm\nca_file = missing.pem\n", "ca_file", "does not exist")]
    public void Bad_configuration_is_refused_naming_the_option(string jazzSection, string option, string problem)
    {
        var path = Temp.Combine("bad.ini");
        var configuration = PluginConfigurations.FromIni(path, "[jazz]\n" + jazzSection);

        var e = Assert.Throws<MfaConfigurationException>(() => _ = new JazzMfaClient(PluginConfigurations.Context(configuration, Logger)));

        Assert.That(e!.Message, Does.Contain(path).And.Contain(option).And.Contain(problem));
    }

    private static MfaRequest Request(string? password, string user = "alice", string? otp = null) =>
        new()
        {
            Username = user,
            MfaIdentity = user,
            Password = password,
            MfaPassword = otp,
            Session = new MfaSession("s-1"),
        };

    private async Task<JazzTestServer> StartAsync(JazzServerMode mode)
    {
        var server = await JazzTestServer.StartAsync(ServerCertificate, mode);
        Servers.Add(server);
        return server;
    }

    private JazzMfaClient CreatePlugin(JazzTestServer server, string extra = "") => CreatePlugin(server.Url, extra);

    private JazzMfaClient CreatePlugin(Uri url, string extra = "", string? path = null)
    {
        var configuration = PluginConfigurations.FromIni(
            path ?? Temp.Combine("jazz.ini"),
            $"[jazz]\nurl = {url}\nca_file = {CaFile}\nrequest_timeout = 10\n{extra}");
        return new JazzMfaClient(PluginConfigurations.Context(configuration, Logger));
    }
}
