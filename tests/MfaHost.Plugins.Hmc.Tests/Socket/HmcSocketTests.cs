using MfaHost.Client;
using MfaHost.Plugins.Hmc.Tests.Support;
using MfaHost.Plugins.Hmc.Tests.TestServer;
using MfaHost.Testing;
using static MfaHost.Plugins.Hmc.Tests.Support.HmcTestEnvironment;

namespace MfaHost.Plugins.Hmc.Tests.Socket;

/// <summary>
/// Every row of the spec's verdict table, end to end: a real host on a temporary configuration with the
/// plugin loaded from its own folder, a gateway client on the real socket, and the test HMC behind it.
/// The authenticate call's <c>password</c> carries the HMC password.
/// </summary>
public class HmcSocketTests
{
    private static readonly string PluginsDirectory = Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");

    private HmcTestEnvironment _env = null!;
    private RunningHost? _host;
    private MfaHostClient? _client;

    [SetUp]
    public async Task SetUp() => _env = await HmcTestEnvironment.StartAsync();

    [TearDown]
    public async Task TearDown()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _env.DisposeAsync();
    }

    private async Task<MfaHostClient> StartHostAsync(string? hosts = null, string extra = "")
    {
        _host = await RunningHost.StartAsync(PluginsDirectory, new Dictionary<string, string>
        {
            ["hmc"] = "[plugin]\ntype = hmc\n" + _env.HmcSection(hosts, extra),
        });
        _client = await _host.CreateClientAsync();
        return _client;
    }

    private static AuthenticateParams Authenticate(string user, string? password, string? code = null, string session = "gw-1", string? protocol = null) => new()
    {
        Plugin = "hmc",
        SessionId = session,
        Username = user,
        Password = password,
        MfaPassword = code,
        Protocol = protocol,
    };

    private static IReadOnlyList<string> Logoffs(TestHmc hmc) => [.. hmc.Log.Where(l => l.StartsWith("logoff", StringComparison.Ordinal))];

    [Test]
    public async Task The_host_loads_the_plugin_from_its_folder_with_the_password_capability()
    {
        var client = await StartHostAsync();

        var plugin = (await client.PluginsAsync()).Single(p => p.Name == "hmc");

        Assert.That((plugin.Type, plugin.Status), Is.EqualTo(("hmc", "loaded")));
        Assert.That(plugin.Capabilities, Does.Contain("password"));
    }

    [Test]
    public async Task Logon_200_accepts_with_the_session_metadata()
    {
        var client = await StartHostAsync();

        var result = await client.AuthenticateAsync(Authenticate(MfaUser, MfaPassword, CurrentCode()));

        Assert.That(result.IsAccept, Is.True, result.ToString());
        var metadata = result.Metadata!;
        var session = _env.Hmc1.SessionOf(metadata["api_session"]);
        Assert.Multiple(() =>
        {
            Assert.That(metadata.Keys, Is.SupersetOf(new[] { "api_session", "session_credential", "notification_topic", "job_notification_topic", "api_version", "password_expires" }));
            Assert.That(metadata["session_credential"], Is.EqualTo(session.Credential));
            Assert.That(metadata["notification_topic"], Is.EqualTo("sysprog-notifications"));
            Assert.That(metadata["job_notification_topic"], Is.EqualTo("sysprog-job-notifications"));
            Assert.That(metadata["api_version"], Is.EqualTo("4.40"));
            Assert.That(metadata["password_expires"], Is.EqualTo("-1"));
        });
    }

    [Test]
    public async Task A_wrong_code_403_reason_0_denies_authentication_failed()
    {
        var client = await StartHostAsync();

        var result = await client.AuthenticateAsync(Authenticate(MfaUser, MfaPassword, WrongCode()));

        Assert.That((result.Verdict, result.Reason), Is.EqualTo(("DENY", "authentication_failed")));
        Assert.That(result.Metadata ?? new Dictionary<string, string>(), Does.Not.ContainKey("session_credential"));
    }

    [Test]
    public async Task A_wrong_password_403_reason_0_denies_authentication_failed()
    {
        var client = await StartHostAsync();

        var result = await client.AuthenticateAsync(Authenticate(PlainUser, "wrong-password"));

        Assert.That((result.Verdict, result.Reason), Is.EqualTo(("DENY", "authentication_failed")));
    }

    [Test]
    public async Task Push_accepts_a_user_without_mfa_and_logs_on_without_mfa_code()
    {
        var client = await StartHostAsync();

        var result = await client.AuthenticateAsync(Authenticate(PlainUser, PlainPassword));

        Assert.That(result.IsAccept, Is.True, result.ToString());
        Assert.That(_env.Hmc1.LogonFields.Single(), Is.EquivalentTo(new[] { "userid", "password" }));
    }

    [Test]
    public async Task Push_denies_an_mfa_user_authentication_failed()
    {
        var client = await StartHostAsync();

        var result = await client.AuthenticateAsync(Authenticate(MfaUser, MfaPassword));

        Assert.That((result.Verdict, result.Reason), Is.EqualTo(("DENY", "authentication_failed")));
    }

    [Test]
    public async Task On_an_interactive_protocol_the_pipeline_asks_for_the_code_and_the_answer_logs_on_with_it()
    {
        var client = await StartHostAsync();
        var first = Authenticate(MfaUser, MfaPassword, protocol: "ssh");

        var question = await client.AuthenticateAsync(first);
        var result = await client.AuthenticateAsync(first.WithAnswer(CurrentCode()));

        Assert.That(question.IsNeedInfo, Is.True, question.ToString());
        Assert.That(result.IsAccept, Is.True, result.ToString());
        Assert.That(_env.Hmc1.LogonFields.Single(), Does.Contain("mfa-code"));
    }

    [Test]
    public async Task A_password_expiring_within_warn_password_days_accepts_with_the_warning_in_message()
    {
        var client = await StartHostAsync();

        var result = await client.AuthenticateAsync(Authenticate(ExpiringUser, ExpiringPassword));

        Assert.That(result.IsAccept, Is.True, result.ToString());
        Assert.That(result.Message, Is.EqualTo($"Your HMC password expires in {ExpiringDays} days"));
        Assert.That(result.Metadata!["password_expires"], Is.EqualTo("3"));
    }

    [Test]
    public async Task Refused_on_every_configured_host_denies_service_unreachable()
    {
        var client = await StartHostAsync(hosts: $"{_env.DownHostEntry}, 127.0.0.1:{_env.DownPort}");

        var result = await client.AuthenticateAsync(Authenticate(PlainUser, PlainPassword));

        Assert.That((result.Verdict, result.Reason), Is.EqualTo(("DENY", "service_unreachable")));
    }

    [Test]
    public async Task A_certificate_that_does_not_validate_denies_communication_error()
    {
        using var otherCa = new TestCertificateAuthority("Some Other CA");
        var otherCaFile = otherCa.WriteRootPem(_env.Temp.Combine("other-ca.pem"));
        _host = await RunningHost.StartAsync(PluginsDirectory, new Dictionary<string, string>
        {
            ["hmc"] = $"[plugin]\ntype = hmc\n[hmc]\nhosts = {_env.Hmc1.HostEntry}\nca_file = {otherCaFile}\n",
        });
        _client = await _host.CreateClientAsync();

        var result = await _client.AuthenticateAsync(Authenticate(PlainUser, PlainPassword));

        Assert.That((result.Verdict, result.Reason), Is.EqualTo(("DENY", "communication_error")));
    }

    [Test]
    public async Task A_timeout_on_every_configured_host_denies_service_unreachable()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var client = await StartHostAsync(hosts: $"localhost:{port}", extra: "request_timeout = 0.5");

        var result = await client.AuthenticateAsync(Authenticate(PlainUser, PlainPassword));

        Assert.That((result.Verdict, result.Reason), Is.EqualTo(("DENY", "service_unreachable")));
    }

    [TestCase(TestHmcMode.ServerError)]
    [TestCase(TestHmcMode.LogonServerError)]
    [TestCase(TestHmcMode.WebServicesDisabled)]
    [TestCase(TestHmcMode.LogonWithoutApiSession)]
    public async Task A_5xx_an_html_page_or_json_without_api_session_denies_communication_error(TestHmcMode mode)
    {
        var client = await StartHostAsync();
        _env.Hmc1.Mode = mode;

        var result = await client.AuthenticateAsync(Authenticate(PlainUser, PlainPassword));

        Assert.That((result.Verdict, result.Reason), Is.EqualTo(("DENY", "communication_error")));
    }

    [Test]
    public async Task Fails_over_to_the_second_host()
    {
        var client = await StartHostAsync(hosts: $"{_env.DownHostEntry}, {_env.Hmc2.HostEntry}");

        var result = await client.AuthenticateAsync(Authenticate(MfaUser, MfaPassword, CurrentCode()));

        Assert.That(result.IsAccept, Is.True, result.ToString());
        Assert.That(_env.Hmc2.SessionOf(result.Metadata!["api_session"]).User.Userid, Is.EqualTo(MfaUser));
    }

    [Test]
    public async Task Session_ended_logs_the_hmc_session_off_exactly_once()
    {
        var client = await StartHostAsync();
        var result = await client.AuthenticateAsync(Authenticate(MfaUser, MfaPassword, CurrentCode(), session: "gw-end"));
        var session = _env.Hmc1.SessionOf(result.Metadata!["api_session"]);

        await client.SessionEndedAsync("gw-end");
        var afterSessionEnded = Logoffs(_env.Hmc1);
        await client.SessionEndedAsync("gw-end");
        await _host!.DisposeAsync();
        _host = null;

        Assert.That(afterSessionEnded, Is.EqualTo(new[] { $"logoff 204 {MfaUser} {session.Id}" }));
        Assert.That(Logoffs(_env.Hmc1), Is.EqualTo(afterSessionEnded), "nothing more at host shutdown");
        Assert.That(session.LogoffRequests, Is.EqualTo(1));
    }

    [Test]
    public async Task A_failing_logoff_is_logged_and_session_ended_still_succeeds()
    {
        var client = await StartHostAsync();
        await client.AuthenticateAsync(Authenticate(PlainUser, PlainPassword, session: "gw-fail"));
        _env.Hmc1.Mode = TestHmcMode.LogoffFails;

        var ended = await client.SessionEndedAsync("gw-fail");

        Assert.That(ended, Is.True);
        Assert.That(_host!.Logs, Has.Some.Contains("[6006]").And.Some.Contains("HTTP 500"));
        Assert.That(_env.Hmc1.Sessions.Single().LogoffRequests, Is.EqualTo(1));
    }

    [Test]
    public async Task Host_shutdown_logs_off_every_open_hmc_session_exactly_once()
    {
        var client = await StartHostAsync();
        var a = await client.AuthenticateAsync(Authenticate(PlainUser, PlainPassword, session: "gw-a"));
        var b = await client.AuthenticateAsync(Authenticate(MfaUser, MfaPassword, CurrentCode(), session: "gw-b"));
        Assert.That(Logoffs(_env.Hmc1), Is.Empty);

        await _client!.DisposeAsync();
        _client = null;
        await _host!.DisposeAsync();
        _host = null;

        Assert.That(Logoffs(_env.Hmc1), Is.EquivalentTo(new[]
        {
            $"logoff 204 {PlainUser} {a.Metadata!["api_session"]}",
            $"logoff 204 {MfaUser} {b.Metadata!["api_session"]}",
        }));
        Assert.That(_env.Hmc1.Sessions.Select(s => s.LogoffRequests), Is.All.EqualTo(1));
    }

    [Test]
    public async Task Verify_broker_accepts_when_the_broker_takes_the_session_credential()
    {
        var client = await StartHostAsync(extra: $"verify_broker = yes\nbroker_port = {_env.Hmc1.Broker.Port}");

        var result = await client.AuthenticateAsync(Authenticate(MfaUser, MfaPassword, CurrentCode()));

        Assert.That(result.IsAccept, Is.True, result.ToString());
        var attempt = _env.Hmc1.Broker.Attempts.Single();
        Assert.That((attempt.Login, attempt.Passcode, attempt.Accepted), Is.EqualTo((result.Metadata!["api_session"], result.Metadata["session_credential"], true)));
    }

    [Test]
    public async Task Verify_broker_denies_communication_error_naming_the_brokers_answer_when_it_refuses()
    {
        var client = await StartHostAsync(extra: $"verify_broker = yes\nbroker_port = {_env.Hmc1.Broker.Port}");
        _env.Hmc1.Broker.Authorize = (_, _) => false;

        var result = await client.AuthenticateAsync(Authenticate(MfaUser, MfaPassword, CurrentCode()));

        Assert.That((result.Verdict, result.Reason), Is.EqualTo(("DENY", "communication_error")));
        Assert.That(result.Message, Does.Contain(TestStompBroker.RefusalMessage));
        Assert.That(_env.Hmc1.Sessions.Single().LogoffRequests, Is.EqualTo(1));
    }

    [Test]
    public async Task The_broker_takes_the_session_credential_from_metadata_but_not_the_mfa_users_password()
    {
        var client = await StartHostAsync();
        var result = await client.AuthenticateAsync(Authenticate(MfaUser, MfaPassword, CurrentCode()));
        var broker = new BrokerProbe(_env);

        var withCredential = await broker.CheckAsync(result.Metadata!["api_session"], result.Metadata["session_credential"]);
        var withPassword = await broker.CheckAsync(MfaUser, MfaPassword);

        Assert.That(withCredential, Is.Null);
        Assert.That(withPassword, Does.Contain(TestStompBroker.RefusalMessage));
    }

    [Test]
    public async Task Secrets_never_reach_the_hosts_log()
    {
        var client = await StartHostAsync(hosts: $"{_env.DownHostEntry}, {_env.Hmc1.HostEntry}", extra: $"verify_broker = yes\nbroker_port = {_env.Hmc1.Broker.Port}");
        var code = CurrentCode();
        var accepted = await client.AuthenticateAsync(Authenticate(MfaUser, MfaPassword, code, session: "gw-1"));
        await client.AuthenticateAsync(Authenticate(MfaUser, "Wrong-Secret-1", code, session: "gw-2"));
        var first = Authenticate(MfaUser, MfaPassword, protocol: "ssh", session: "gw-3");
        await client.AuthenticateAsync(first);
        await client.AuthenticateAsync(first.WithAnswer(WrongCode()));
        _env.Hmc1.Broker.Authorize = (_, _) => false;
        await client.AuthenticateAsync(Authenticate(PlainUser, PlainPassword, session: "gw-4"));
        await client.SessionEndedAsync("gw-1");
        await _client!.DisposeAsync();
        _client = null;
        var host = _host!;
        _host = null;
        await host.StopAsync();
        var logs = string.Join("\n", host.Logs);
        await host.DisposeAsync();

        Assert.That(accepted.IsAccept, Is.True);
        Assert.That(logs, Does.Contain("hmc"), "the log was captured");
        var secrets = new[] { MfaPassword, PlainPassword, "Wrong-Secret-1", code }
            .Concat(_env.Hmc1.Sessions.SelectMany(s => new[] { s.Id, s.Credential }));
        Assert.Multiple(() =>
        {
            foreach (var secret in secrets)
            {
                Assert.That(logs, Does.Not.Contain(secret));
            }
        });
    }
}
