using System.Net;
using System.Net.Sockets;
using MfaHost.Plugins.Hmc.Api;
using MfaHost.Plugins.Hmc.Tests.Support;
using MfaHost.Plugins.Hmc.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.Logging;
using static MfaHost.Plugins.Hmc.Tests.Support.HmcTestEnvironment;

namespace MfaHost.Plugins.Hmc.Tests;

/// <summary>The plugin class driven directly (as the host calls it) against the test HMC over real HTTPS.</summary>
public class HmcClientTests
{
    private HmcTestEnvironment _env = null!;
    private CapturingLogger _log = null!;
    private readonly List<HmcClient> _plugins = [];

    [SetUp]
    public async Task SetUp()
    {
        _env = await HmcTestEnvironment.StartAsync();
        _log = new CapturingLogger();
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var plugin in _plugins)
        {
            await plugin.DisposeAsync();
        }

        _plugins.Clear();
        await _env.DisposeAsync();
        _log.Dispose();
    }

    private HmcClient Plugin(string? hosts = null, string extra = "")
    {
        var plugin = _env.CreatePlugin(_env.HmcSection(hosts, extra), _log);
        _plugins.Add(plugin);
        return plugin;
    }

    private static MfaRequest Request(string user, string? password, string? code = null, string session = "gw-1") => new()
    {
        Username = user,
        MfaIdentity = user,
        Password = password,
        MfaPassword = code,
        Session = new MfaSession(session),
    };

    [Test]
    public void Declares_push_otp_and_password()
    {
        Assert.That(Plugin().Capabilities, Is.EqualTo(MfaCapabilities.Push | MfaCapabilities.Otp | MfaCapabilities.Password));
    }

    [Test]
    public async Task Logon_with_password_and_right_code_accepts_with_the_session_in_metadata()
    {
        var request = Request(MfaUser, MfaPassword, CurrentCode());

        var verdict = await Plugin().ExecuteAuthenticateAsync(request, CancellationToken.None);

        Assert.That(verdict.IsAccept, Is.True, verdict.Message);
        var session = _env.Hmc1.SessionOf(verdict.Metadata["api_session"]);
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.Accepted));
            Assert.That(verdict.Message, Is.Empty);
            Assert.That(verdict.Metadata.Keys, Is.EquivalentTo(new[] { "api_session", "session_credential", "notification_topic", "job_notification_topic", "api_version", "password_expires" }));
            Assert.That(verdict.Metadata["session_credential"], Is.EqualTo(session.Credential));
            Assert.That(verdict.Metadata["notification_topic"], Is.EqualTo("sysprog-notifications"));
            Assert.That(verdict.Metadata["job_notification_topic"], Is.EqualTo("sysprog-job-notifications"));
            Assert.That(verdict.Metadata["api_version"], Is.EqualTo("4.40"));
            Assert.That(verdict.Metadata["password_expires"], Is.EqualTo("-1"));
            Assert.That(session.User.Userid, Is.EqualTo(MfaUser));
            Assert.That(_env.Hmc1.LogonFields.Single(), Is.EquivalentTo(new[] { "userid", "password", HmcApi.MfaCodeField }));
            Assert.That(request.Session.Items[HmcClient.SessionItemKey], Is.InstanceOf<HmcSession>());
        });
    }

    [Test]
    public async Task Push_for_a_user_without_mfa_logs_on_without_mfa_code_and_accepts()
    {
        var verdict = await Plugin().ExecuteAuthenticateAsync(Request(PlainUser, PlainPassword), CancellationToken.None);

        Assert.That(verdict.IsAccept, Is.True, verdict.Message);
        Assert.That(_env.Hmc1.LogonFields.Single(), Is.EquivalentTo(new[] { "userid", "password" }));
    }

    [Test]
    public async Task Push_for_an_mfa_user_denies_authentication_failed()
    {
        var verdict = await Plugin().ExecuteAuthenticateAsync(Request(MfaUser, MfaPassword), CancellationToken.None);

        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.AuthenticationFailed)));
        Assert.That(_env.Hmc1.LogonFields.Single(), Does.Not.Contain(HmcApi.MfaCodeField));
    }

    [Test]
    public async Task A_wrong_code_is_403_reason_0_and_denies_authentication_failed()
    {
        var verdict = await Plugin().ExecuteAuthenticateAsync(Request(MfaUser, MfaPassword, WrongCode()), CancellationToken.None);

        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.AuthenticationFailed)));
        Assert.That(_env.Hmc1.Log, Has.Some.StartsWith($"logon 403 {MfaUser}"));
    }

    [Test]
    public async Task A_wrong_password_denies_authentication_failed()
    {
        var verdict = await Plugin().ExecuteAuthenticateAsync(Request(MfaUser, "not-the-password", CurrentCode()), CancellationToken.None);

        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.AuthenticationFailed)));
    }

    [Test]
    public async Task No_password_from_the_gateway_denies_without_asking_the_hmc()
    {
        var verdict = await Plugin().ExecuteAuthenticateAsync(Request(MfaUser, password: null, CurrentCode()), CancellationToken.None);

        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.AuthenticationFailed)));
        Assert.That(verdict.Message, Does.Contain("password"));
        Assert.That(_env.Hmc1.Log, Is.Empty);
    }

    [Test]
    public async Task A_password_expiring_within_warn_password_days_accepts_with_the_warning()
    {
        var verdict = await Plugin().ExecuteAuthenticateAsync(Request(ExpiringUser, ExpiringPassword), CancellationToken.None);

        Assert.That(verdict.IsAccept, Is.True);
        Assert.That(verdict.Message, Is.EqualTo($"Your HMC password expires in {ExpiringDays} days"));
        Assert.That(verdict.Metadata["password_expires"], Is.EqualTo(ExpiringDays.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [TestCase("warn_password_days = 2")]
    [TestCase("warn_password_days = -1")]
    public async Task A_password_expiring_later_than_warn_password_days_or_with_warnings_off_accepts_without_warning(string option)
    {
        var verdict = await Plugin(extra: option).ExecuteAuthenticateAsync(Request(ExpiringUser, ExpiringPassword), CancellationToken.None);

        Assert.That(verdict.IsAccept, Is.True);
        Assert.That(verdict.Message, Is.Empty);
    }

    [Test]
    public async Task Every_host_refusing_connections_denies_service_unreachable()
    {
        var verdict = await Plugin(hosts: $"{_env.DownHostEntry}, 127.0.0.1:{_env.DownPort}").ExecuteAuthenticateAsync(Request(PlainUser, PlainPassword), CancellationToken.None);

        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.ServiceUnreachable)));
        Assert.That(_log.AllText, Does.Contain("none of the 2 configured HMCs answered"));
    }

    [Test]
    public async Task A_certificate_from_another_ca_is_a_tls_failure_and_denies_communication_error()
    {
        using var otherCa = new TestCertificateAuthority("Some Other CA");
        var otherCaFile = otherCa.WriteRootPem(_env.Temp.Combine("other-ca.pem"));
        var plugin = _env.CreatePlugin($"[hmc]\nhosts = {_env.Hmc1.HostEntry}\nca_file = {otherCaFile}\n", _log);
        _plugins.Add(plugin);

        var verdict = await plugin.ExecuteAuthenticateAsync(Request(PlainUser, PlainPassword), CancellationToken.None);

        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.CommunicationError)));
        Assert.That(_log.AllText, Does.Contain("TLS handshake failed"));
        Assert.That(_env.Hmc1.Log, Is.Empty);
    }

    [TestCase(TestHmcMode.ServerError, "HTTP 500")]
    [TestCase(TestHmcMode.LogonServerError, "HTTP 503")]
    [TestCase(TestHmcMode.WebServicesDisabled, "Web Services API is not enabled")]
    [TestCase(TestHmcMode.LogonWithoutApiSession, "without api-session")]
    public async Task An_answer_the_plugin_does_not_understand_denies_communication_error_with_a_clear_log(TestHmcMode mode, string logged)
    {
        _env.Hmc1.Mode = mode;

        var verdict = await Plugin().ExecuteAuthenticateAsync(Request(PlainUser, PlainPassword), CancellationToken.None);

        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.CommunicationError)));
        Assert.That(_log.Entries.Where(l => l.Level == LogLevel.Error).Select(l => l.Message), Has.Some.Contains(logged).And.Some.Contains(_env.Hmc1.HostEntry));
    }

    [Test]
    public async Task Fails_over_to_the_second_host_when_the_first_is_down()
    {
        var verdict = await Plugin(hosts: $"{_env.DownHostEntry}, {_env.Hmc2.HostEntry}").ExecuteAuthenticateAsync(Request(MfaUser, MfaPassword, CurrentCode()), CancellationToken.None);

        Assert.That(verdict.IsAccept, Is.True, verdict.Message);
        Assert.That(_env.Hmc2.Sessions.Select(s => s.Id), Is.EqualTo(new[] { verdict.Metadata["api_session"] }));
        Assert.That(_log.Entries.Where(l => l.EventId == 6000).Select(l => l.Message), Has.Some.Contains(_env.DownHostEntry));
    }

    [Test]
    public async Task Fails_over_to_the_second_host_when_the_first_has_web_services_disabled()
    {
        _env.Hmc1.Mode = TestHmcMode.WebServicesDisabled;

        var verdict = await Plugin(hosts: $"{_env.Hmc1.HostEntry}, {_env.Hmc2.HostEntry}").ExecuteAuthenticateAsync(Request(PlainUser, PlainPassword), CancellationToken.None);

        Assert.That(verdict.IsAccept, Is.True, verdict.Message);
        Assert.That(_env.Hmc2.Sessions, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Uses_the_first_host_when_it_answers()
    {
        var verdict = await Plugin(hosts: $"{_env.Hmc1.HostEntry}, {_env.Hmc2.HostEntry}").ExecuteAuthenticateAsync(Request(PlainUser, PlainPassword), CancellationToken.None);

        Assert.That(verdict.IsAccept, Is.True);
        Assert.That((_env.Hmc1.Sessions.Count, _env.Hmc2.Sessions.Count), Is.EqualTo((1, 0)));
    }

    [Test]
    public async Task Session_ended_logs_the_hmc_session_off_exactly_once()
    {
        var plugin = Plugin();
        var request = Request(MfaUser, MfaPassword, CurrentCode());
        var verdict = await plugin.ExecuteAuthenticateAsync(request, CancellationToken.None);
        var session = _env.Hmc1.SessionOf(verdict.Metadata["api_session"]);

        await plugin.SessionEndedAsync(request.Session, CancellationToken.None);
        await plugin.SessionEndedAsync(request.Session, CancellationToken.None);
        await plugin.DisposeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(session.LogoffRequests, Is.EqualTo(1));
            Assert.That(session.LoggedOff, Is.True);
            Assert.That(_env.Hmc1.Log.Count(l => l.StartsWith("logoff", StringComparison.Ordinal)), Is.EqualTo(1));
            Assert.That(request.Session.Items, Does.Not.ContainKey(HmcClient.SessionItemKey));
            Assert.That(plugin.LiveSessionCount, Is.Zero);
        });
    }

    [Test]
    public async Task Session_ended_for_a_new_session_object_with_the_same_id_still_logs_off()
    {
        var plugin = Plugin();
        var verdict = await plugin.ExecuteAuthenticateAsync(Request(PlainUser, PlainPassword, session: "gw-7"), CancellationToken.None);

        await plugin.SessionEndedAsync(new MfaSession("gw-7"), CancellationToken.None);

        Assert.That(_env.Hmc1.SessionOf(verdict.Metadata["api_session"]).LogoffRequests, Is.EqualTo(1));
    }

    [Test]
    public async Task Host_shutdown_logs_off_every_open_session_once_and_no_ended_one_again()
    {
        var plugin = Plugin();
        var first = Request(PlainUser, PlainPassword, session: "gw-1");
        var second = Request(MfaUser, MfaPassword, CurrentCode(), session: "gw-2");
        var a = await plugin.ExecuteAuthenticateAsync(first, CancellationToken.None);
        var b = await plugin.ExecuteAuthenticateAsync(second, CancellationToken.None);
        await plugin.SessionEndedAsync(first.Session, CancellationToken.None);

        await plugin.DisposeAsync();
        await plugin.DisposeAsync();

        Assert.That(_env.Hmc1.SessionOf(a.Metadata["api_session"]).LogoffRequests, Is.EqualTo(1));
        Assert.That(_env.Hmc1.SessionOf(b.Metadata["api_session"]).LogoffRequests, Is.EqualTo(1));
        Assert.That(_log.Entries.Where(l => l.EventId == 6004).Select(l => l.Message), Has.One.Contains("host shutting down").And.One.Contains("gateway session ended"));
    }

    [Test]
    public async Task A_second_logon_in_the_same_gateway_session_logs_the_first_hmc_session_off()
    {
        var plugin = Plugin();
        var first = await plugin.ExecuteAuthenticateAsync(Request(PlainUser, PlainPassword, session: "gw-1"), CancellationToken.None);
        var second = await plugin.ExecuteAuthenticateAsync(Request(PlainUser, PlainPassword, session: "gw-1"), CancellationToken.None);

        Assert.That(_env.Hmc1.SessionOf(first.Metadata["api_session"]).LogoffRequests, Is.EqualTo(1));
        Assert.That(_env.Hmc1.SessionOf(second.Metadata["api_session"]).LoggedOff, Is.False);
    }

    [Test]
    public async Task A_failing_logoff_is_logged_and_never_raised()
    {
        var plugin = Plugin();
        var request = Request(PlainUser, PlainPassword);
        await plugin.ExecuteAuthenticateAsync(request, CancellationToken.None);
        _env.Hmc1.Mode = TestHmcMode.LogoffFails;

        Assert.That(async () => await plugin.SessionEndedAsync(request.Session, CancellationToken.None), Throws.Nothing);
        Assert.That(_log.Entries.Where(l => l.EventId == 6006).Select(l => l.Message), Has.One.Contains("HTTP 500"));
    }

    [Test]
    public async Task A_logoff_of_a_session_the_hmc_already_dropped_is_logged_as_already_ended()
    {
        var plugin = Plugin();
        var request = Request(PlainUser, PlainPassword);
        await plugin.ExecuteAuthenticateAsync(request, CancellationToken.None);
        _env.Hmc1.ExpireAllSessions();

        await plugin.SessionEndedAsync(request.Session, CancellationToken.None);

        Assert.That(_log.Entries.Select(l => l.EventId), Does.Contain(6005).And.Not.Contain(6006));
    }

    [Test]
    public async Task After_the_hmc_session_expired_the_next_authentication_logs_on_anew_and_without_a_password_is_denied_saying_why()
    {
        var plugin = Plugin();
        var first = Request(MfaUser, MfaPassword, CurrentCode());
        await plugin.ExecuteAuthenticateAsync(first, CancellationToken.None);
        _env.Hmc1.ExpireAllSessions();

        var bare = await plugin.ExecuteAuthenticateAsync(Request(MfaUser, null) with { Session = first.Session }, CancellationToken.None);
        var again = await plugin.ExecuteAuthenticateAsync(Request(MfaUser, MfaPassword, CurrentCode()) with { Session = first.Session }, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((bare.Kind, bare.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.AuthenticationFailed)));
            Assert.That(bare.Message, Does.Contain("password"));
            Assert.That(again.Kind, Is.EqualTo(MfaVerdictKind.Accept));
            Assert.That(_env.Hmc1.Log.Count(l => l.StartsWith($"logon 200 {MfaUser} mfa", StringComparison.Ordinal)), Is.EqualTo(2), "one logon per authentication, none behind the gateway's back");
            Assert.That(_log.Entries.Select(l => l.EventId), Does.Contain(6005), "the replaced session's logoff found it ended");
        });
    }

    [Test]
    public async Task A_logoff_to_an_hmc_that_went_down_is_logged_and_never_raised()
    {
        var plugin = Plugin();
        var request = Request(PlainUser, PlainPassword);
        await plugin.ExecuteAuthenticateAsync(request, CancellationToken.None);
        await _env.Hmc1.DisposeAsync();

        Assert.That(async () => await plugin.SessionEndedAsync(request.Session, CancellationToken.None), Throws.Nothing);
        Assert.That(_log.Entries.Select(l => l.EventId), Does.Contain(6006));
    }

    [Test]
    public async Task Secrets_never_reach_the_log()
    {
        var code = CurrentCode();
        var plugin = Plugin(hosts: $"{_env.DownHostEntry}, {_env.Hmc1.HostEntry}", extra: $"verify_broker = yes\nbroker_port = {_env.Hmc1.Broker.Port}");
        var ok = Request(MfaUser, MfaPassword, code, session: "gw-1");
        var accepted = await plugin.ExecuteAuthenticateAsync(ok, CancellationToken.None);
        await plugin.ExecuteAuthenticateAsync(Request(MfaUser, "Wrong-Secret-1", code, session: "gw-2"), CancellationToken.None);
        await plugin.ExecuteAuthenticateAsync(Request(ExpiringUser, ExpiringPassword, session: "gw-3"), CancellationToken.None);
        _env.Hmc1.Broker.Authorize = (_, _) => false;
        var refused = await plugin.ExecuteAuthenticateAsync(Request(PlainUser, PlainPassword, session: "gw-4"), CancellationToken.None);
        await plugin.SessionEndedAsync(ok.Session, CancellationToken.None);
        await plugin.DisposeAsync();

        Assert.That(accepted.IsAccept && refused.IsDeny, Is.True);
        var secrets = new[] { MfaPassword, PlainPassword, ExpiringPassword, "Wrong-Secret-1", code }
            .Concat(_env.Hmc1.Sessions.SelectMany(s => new[] { s.Id, s.Credential }));
        var text = _log.AllText;
        Assert.That(_log.Entries, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var secret in secrets)
            {
                Assert.That(text, Does.Not.Contain(secret));
                Assert.That(refused.Message, Does.Not.Contain(secret));
            }
        });
    }
}
