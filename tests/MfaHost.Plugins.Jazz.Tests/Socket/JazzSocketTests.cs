using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MfaHost.Client;
using MfaHost.Plugins.Jazz.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;

namespace MfaHost.Plugins.Jazz.Tests.Socket;

/// <summary>
/// The jazz plugin end to end: a real host (RunningHost) with the plugin laid out as a plugin folder,
/// the gateway socket, MfaHostClient, and the real test Jazz server in each mode. Every row of the
/// spec's verdict table is here; the gateway's <c>password</c> carries the Jazz password.
/// </summary>
[TestFixture]
public sealed class JazzSocketTests
{
    private const string Password = "Correct-Horse-42";
    private const string WrongPassword = "wrong-password-99";

    private static readonly JazzServerMode[] Modes = Enum.GetValues<JazzServerMode>();

    private readonly Dictionary<JazzServerMode, JazzTestServer> _servers = [];
    private TestCertificateAuthority _ca = null!;
    private X509Certificate2 _certificate = null!;
    private TempDirectory _temp = null!;
    private string _caFile = null!;
    private string _otherCaFile = null!;
    private int _closedPort;
    private RunningHost _host = null!;

    private static string PluginsDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");

    [OneTimeSetUp]
    public async Task StartServersAndHost()
    {
        _ca = new TestCertificateAuthority();
        _certificate = _ca.IssueServerCertificate("localhost");
        _temp = new TempDirectory();
        _caFile = _ca.WriteRootPem(_temp.Combine("ca.pem"));
        using (var otherCa = new TestCertificateAuthority("Not The Jazz CA"))
        {
            _otherCaFile = otherCa.WriteRootPem(_temp.Combine("other-ca.pem"));
        }

        foreach (var mode in Modes)
        {
            _servers[mode] = await JazzTestServer.StartAsync(_certificate, mode);
        }

        _closedPort = ClosedPort();
        var instances = Modes.ToDictionary(InstanceName, mode => Instance(_servers[mode].Url, _caFile));
        instances["jazz_refused"] = Instance(new Uri($"https://127.0.0.1:{_closedPort}/ccm"), _caFile);
        instances["jazz_untrusted"] = Instance(_servers[JazzServerMode.Form].Url, _otherCaFile);
        instances["jazz_jts"] = Instance(_servers[JazzServerMode.Form].Url, _caFile, $"auth_url = {_servers[JazzServerMode.Form].JtsUrl}\n");
        _host = await RunningHost.StartAsync(PluginsDirectory, instances);
    }

    [OneTimeTearDown]
    public async Task StopServersAndHost()
    {
        await _host.DisposeAsync();
        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync();
        }

        _certificate.Dispose();
        _ca.Dispose();
        _temp.Dispose();
    }

    [TearDown]
    public void No_credential_reaches_the_host_log()
    {
        var logs = string.Join("\n", _host.Logs);
        Assert.That(logs, Does.Not.Contain(Password).And.Not.Contain(WrongPassword), "a password reached the host's log");
        Assert.That(logs, Does.Not.Contain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("alice:" + Password))), "Basic credentials reached the host's log");
    }

    [TestCase(JazzServerMode.Form, "form")]
    [TestCase(JazzServerMode.FormChallengeOn200, "form")]
    [TestCase(JazzServerMode.Jas, "jas")]
    [TestCase(JazzServerMode.Basic, "basic")]
    public async Task Right_password_is_accepted_with_the_auth_method(JazzServerMode mode, string authMethod)
    {
        var result = await AuthenticateAsync(InstanceName(mode), Password);

        Assert.That(result.Verdict, Is.EqualTo("ACCEPT"), result.ToString());
        Assert.That(result.Metadata, Is.Not.Null);
        Assert.That(result.Metadata!["auth_method"], Is.EqualTo(authMethod));
    }

    [Test]
    public async Task Form_login_goes_to_the_configured_auth_url()
    {
        var server = _servers[JazzServerMode.Form];
        var before = server.CountRequests("/jts/j_security_check");

        var result = await AuthenticateAsync("jazz_jts", Password);

        Assert.That(result.Verdict, Is.EqualTo("ACCEPT"), result.ToString());
        Assert.That(server.CountRequests("/jts/j_security_check"), Is.EqualTo(before + 1));
    }

    [TestCase(JazzServerMode.Form)]
    [TestCase(JazzServerMode.FormChallengeOn200)]
    [TestCase(JazzServerMode.Jas)]
    [TestCase(JazzServerMode.Basic)]
    public async Task Wrong_password_is_denied_authentication_failed(JazzServerMode mode)
    {
        var result = await AuthenticateAsync(InstanceName(mode), WrongPassword);

        Assert.That(result.Verdict, Is.EqualTo("DENY"));
        Assert.That(result.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
    }

    [Test]
    public async Task No_password_is_denied_authentication_failed_with_a_clear_message()
    {
        var result = await AuthenticateAsync(InstanceName(JazzServerMode.Form), password: null);

        Assert.That(result.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
        Assert.That(result.Message, Does.Contain("No password"));
    }

    [Test]
    public async Task A_server_that_always_challenges_is_denied_after_one_retry_without_a_loop()
    {
        var server = _servers[JazzServerMode.AlwaysChallenge];
        server.ClearRequestLog();

        var result = await AuthenticateAsync(InstanceName(JazzServerMode.AlwaysChallenge), Password);

        Assert.That(result.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
        Assert.That(server.Requests.Select(r => r.Method + " " + r.Path), Is.EqualTo(new[]
        {
            "GET /ccm/process/project-areas",
            "POST /ccm/j_security_check",
            "GET /ccm/process/project-areas",
        }));
    }

    [TestCase(JazzServerMode.Kerberos, "Negotiate")]
    [TestCase(JazzServerMode.JasKerberos, "Negotiate")]
    [TestCase(JazzServerMode.UnknownScheme, "Digest")]
    [TestCase(JazzServerMode.NoChallenge, "without WWW-Authenticate")]
    [TestCase(JazzServerMode.NotJazz, "not a Jazz server")]
    [TestCase(JazzServerMode.ServerError, "answered 500")]
    public async Task Unsupported_or_foreign_answers_are_communication_errors_naming_the_reason(JazzServerMode mode, string reason)
    {
        var result = await AuthenticateAsync(InstanceName(mode), Password);

        Assert.That(result.Verdict, Is.EqualTo("DENY"));
        Assert.That(result.Reason, Is.EqualTo(MfaReasons.CommunicationError));
        Assert.That(_host.Logs.Where(l => l.Contains(_servers[mode].Url.Authority, StringComparison.Ordinal)), Has.Some.Contains(reason));
    }

    [TestCase("jazz_refused", MfaReasons.ServiceUnreachable)]
    [TestCase("jazz_untrusted", MfaReasons.CommunicationError)]
    public async Task A_refused_connection_is_service_unreachable_and_an_untrusted_certificate_a_communication_error(string instance, string reason)
    {
        var result = await AuthenticateAsync(instance, Password);

        Assert.That(result.Verdict, Is.EqualTo("DENY"));
        Assert.That(result.Reason, Is.EqualTo(reason));
    }

    [Test]
    public async Task A_server_that_never_answers_is_service_unreachable_after_request_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var host = await RunningHost.StartAsync(
            PluginsDirectory,
            new Dictionary<string, string> { ["jazz"] = Instance(new Uri($"https://127.0.0.1:{port}/ccm"), _caFile, requestTimeout: "0.3") });
        await using var client = await host.CreateClientAsync();

        var result = await client.AuthenticateAsync(new AuthenticateParams { Plugin = "jazz", SessionId = NewSessionId(), Username = "alice", Password = Password });

        Assert.That(result.Reason, Is.EqualTo(MfaReasons.ServiceUnreachable));
    }

    [Test]
    public async Task The_documented_example_instance_file_loads()
    {
        var example = await File.ReadAllTextAsync(Path.Combine(TestContext.CurrentContext.TestDirectory, "examples", "jazz.ini"));
        await using var host = await RunningHost.StartAsync(PluginsDirectory, new Dictionary<string, string> { ["jazz"] = example });
        await using var client = await host.CreateClientAsync();

        var plugins = await client.PluginsAsync();

        Assert.That(plugins.Single().Status, Is.EqualTo("loaded"), plugins.Single().Error);
        Assert.That(plugins.Single().Type, Is.EqualTo("jazz"));
    }

    [Test]
    public async Task After_the_server_expires_sessions_the_next_login_succeeds()
    {
        var server = _servers[JazzServerMode.Jas];
        Assert.That((await AuthenticateAsync(InstanceName(JazzServerMode.Jas), Password)).Verdict, Is.EqualTo("ACCEPT"));
        var logins = server.SuccessfulLogins;

        server.ExpireAllSessions();
        var result = await AuthenticateAsync(InstanceName(JazzServerMode.Jas), Password);

        Assert.That(result.Verdict, Is.EqualTo("ACCEPT"), result.ToString());
        Assert.That(server.SuccessfulLogins, Is.EqualTo(logins + 1));
    }

    [Test]
    public async Task Http_url_is_refused_at_configuration_time()
    {
        var instances = new Dictionary<string, string> { ["jazz"] = Instance(new Uri("http://127.0.0.1:9/ccm"), caFile: null) };

        var e = Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var host = await RunningHost.StartAsync(PluginsDirectory, instances);
        });

        Assert.That(e!.Message, Does.Contain("jazz.ini").And.Contain("url").And.Contain("http://127.0.0.1:9/ccm").And.Contain("allow_insecure"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task Http_url_with_allow_insecure_is_accepted_and_works()
    {
        await using var server = await JazzTestServer.StartAsync(certificate: null, JazzServerMode.Form);
        await using var host = await RunningHost.StartAsync(
            PluginsDirectory,
            new Dictionary<string, string> { ["jazz"] = Instance(server.Url, caFile: null, "allow_insecure = yes\n") });
        await using var client = await host.CreateClientAsync();

        var result = await client.AuthenticateAsync(new AuthenticateParams { Plugin = "jazz", SessionId = NewSessionId(), Username = "alice", Password = Password });

        Assert.That(result.Verdict, Is.EqualTo("ACCEPT"), result.ToString());
        Assert.That(string.Join("\n", host.Logs), Does.Not.Contain(Password));
    }

    [Test]
    public async Task The_plugin_lists_its_password_capability()
    {
        await using var client = await _host.CreateClientAsync();

        var plugins = await client.PluginsAsync();

        var jazz = plugins.Single(p => p.Name == InstanceName(JazzServerMode.Form));
        Assert.That(jazz.Type, Is.EqualTo("jazz"));
        Assert.That(jazz.Capabilities, Does.Contain("password"));
    }

    private static string InstanceName(JazzServerMode mode) => "jazz_" + mode.ToString().ToLowerInvariant();

    private static string NewSessionId() => Guid.NewGuid().ToString("N");

    private static string Instance(Uri url, string? caFile, string extra = "", string requestTimeout = "10") =>
        "[plugin]\ntype = jazz\n[jazz]\n" +
        $"url = {url}\n" +
        (caFile is null ? string.Empty : $"ca_file = {caFile}\n") +
        $"request_timeout = {requestTimeout}\n" +
        extra;

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task<AuthenticateResult> AuthenticateAsync(string instance, string? password)
    {
        await using var client = await _host.CreateClientAsync();
        return await client.AuthenticateAsync(new AuthenticateParams
        {
            Plugin = instance,
            SessionId = NewSessionId(),
            Username = "alice",
            Password = password,
        });
    }
}
