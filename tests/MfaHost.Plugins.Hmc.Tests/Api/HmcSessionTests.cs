using System.Net;
using MfaHost.Plugins.Hmc.Api;
using MfaHost.Plugins.Hmc.Configuration;
using MfaHost.Plugins.Hmc.Tests.Support;
using MfaHost.Testing;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Configuration;
using Moq;
using static MfaHost.Plugins.Hmc.Tests.Support.HmcTestEnvironment;

namespace MfaHost.Plugins.Hmc.Tests.Api;

/// <summary>The session: calls carry the session id; 403 reason 4/5 logs on again and retries once.</summary>
public class HmcSessionTests
{
    private HmcTestEnvironment _env = null!;
    private HttpClient _http = null!;
    private CapturingLogger _log = null!;

    [SetUp]
    public async Task SetUp()
    {
        _env = await HmcTestEnvironment.StartAsync();
        var configuration = new PluginConfiguration(new ConfigurationBuilder().Build(), _env.Temp.Combine("none.ini"), Mock.Of<ICredentialStore>());
        _http = new PluginHttpClientFactory(configuration).CreateClient(new PluginHttpOptions { CaFile = _env.CaFile });
        _log = new CapturingLogger();
    }

    [TearDown]
    public async Task TearDown()
    {
        _http.Dispose();
        await _env.DisposeAsync();
        _log.Dispose();
    }

    private HmcApiClient Api() => new(_http, new HmcEndpoint("localhost", _env.Hmc1.Port), TimeSpan.FromSeconds(5));

    private Task<HmcSession> LogonAsync(string user = PlainUser, string password = PlainPassword, string? code = null) =>
        HmcSession.LogonAsync(Api(), new HmcLogonCredentials(user, password, code), _log, CancellationToken.None);

    [Test]
    public async Task A_call_carries_the_session_id()
    {
        var session = await LogonAsync();

        var response = await session.SendAsync(HttpMethod.Get, "/api/console", null, CancellationToken.None);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)response.Json!["user"], Is.EqualTo(PlainUser));
        Assert.That(session.Logons, Is.EqualTo(1));
    }

    [Test]
    public async Task A_403_reason_5_logs_on_again_and_retries_the_call_once()
    {
        var session = await LogonAsync(MfaUser, MfaPassword, CurrentCode());
        var first = session.Current.ApiSession;
        _env.Hmc1.ExpireAllSessions();

        var response = await session.SendAsync(HttpMethod.Get, "/api/console", null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(session.Logons, Is.EqualTo(2));
            Assert.That(session.Current.ApiSession, Is.Not.EqualTo(first));
            Assert.That(_env.Hmc1.Log.Count(l => l.StartsWith($"logon 200 {MfaUser} mfa", StringComparison.Ordinal)), Is.EqualTo(2));
            Assert.That(_log.Entries.Select(l => l.EventId), Does.Contain(6007));
        });
    }

    [Test]
    public async Task The_retry_happens_only_once()
    {
        _env.Hmc1.SessionsBornExpired = true;
        var session = await LogonAsync();

        var response = await session.SendAsync(HttpMethod.Get, "/api/console", null, CancellationToken.None);

        Assert.That((response.Status, response.Reason), Is.EqualTo((HttpStatusCode.Forbidden, (int?)5)));
        Assert.That(session.Logons, Is.EqualTo(2));
    }

    [Test]
    public async Task Other_errors_are_not_retried()
    {
        var session = await LogonAsync();

        var response = await session.SendAsync(HttpMethod.Get, "/api/no-such-thing", null, CancellationToken.None);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(session.Logons, Is.EqualTo(1));
    }

    [Test]
    public async Task Logoff_is_sent_once_and_later_calls_are_refused()
    {
        var session = await LogonAsync();

        var first = await session.LogoffAsync(CancellationToken.None);
        var second = await session.LogoffAsync(CancellationToken.None);

        Assert.That((first, second), Is.EqualTo((HmcLogoffResult.LoggedOff, HmcLogoffResult.NotSent)));
        Assert.That(_env.Hmc1.SessionOf(session.Current.ApiSession).LogoffRequests, Is.EqualTo(1));
        Assert.That(async () => await session.SendAsync(HttpMethod.Get, "/api/console", null, CancellationToken.None), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void A_logon_without_a_required_field_is_400_reason_5_and_a_communication_error()
    {
        var error = Assert.ThrowsAsync<MfaCommunicationError>(() => LogonAsync(PlainUser, password: null!));

        Assert.That(error!.Message, Does.Contain("HTTP 400 (reason 5"));
    }

    [Test]
    public void A_logon_with_a_bad_password_is_an_authentication_failure()
    {
        var error = Assert.ThrowsAsync<MfaAuthenticationFailure>(() => LogonAsync(PlainUser, "nope"));

        Assert.That(error!.Message, Does.Contain("403 (reason 0"));
        Assert.That(error.Message, Does.Not.Contain("nope"));
    }
}
