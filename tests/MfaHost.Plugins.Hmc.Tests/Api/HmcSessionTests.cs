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

/// <summary>The session: logon, logoff exactly once, and no credentials kept after the logon.</summary>
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
        HmcSession.LogonAsync(Api(), new HmcLogonCredentials(user, password, code), CancellationToken.None);

    [Test]
    public async Task The_session_keeps_neither_the_password_nor_the_code()
    {
        var code = CurrentCode();
        var session = await LogonAsync(MfaUser, MfaPassword, code);

        var kept = StringsReachableFrom(session, depth: 3);

        Assert.Multiple(() =>
        {
            Assert.That(session.WithMfaCode, Is.True);
            Assert.That(kept, Does.Contain(MfaUser), "the walk sees the session's strings");
            Assert.That(kept, Does.Not.Contain(MfaPassword).And.Not.Contain(code));
        });
    }

    [Test]
    public async Task An_expired_session_is_not_logged_on_again_its_logoff_finds_it_ended()
    {
        var session = await LogonAsync(MfaUser, MfaPassword, CurrentCode());
        _env.Hmc1.ExpireAllSessions();

        var result = await session.LogoffAsync(CancellationToken.None);

        Assert.That(result, Is.EqualTo(HmcLogoffResult.AlreadyEnded));
        Assert.That(_env.Hmc1.Log.Count(l => l.StartsWith("logon 200", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task Logoff_is_sent_once()
    {
        var session = await LogonAsync();

        var first = await session.LogoffAsync(CancellationToken.None);
        var second = await session.LogoffAsync(CancellationToken.None);

        Assert.That((first, second), Is.EqualTo((HmcLogoffResult.LoggedOff, HmcLogoffResult.NotSent)));
        Assert.That(_env.Hmc1.SessionOf(session.Current.ApiSession).LogoffRequests, Is.EqualTo(1));
        Assert.That(session.IsLoggedOff, Is.True);
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

    // Every string in the fields of the object graph below root (not into the HTTP machinery).
    private static List<string> StringsReachableFrom(object root, int depth)
    {
        var found = new List<string>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        void Walk(object? value, int left)
        {
            if (value is null || left < 0 || !seen.Add(value))
            {
                return;
            }

            if (value is string text)
            {
                found.Add(text);
                return;
            }

            var type = value.GetType();
            if (type.IsPrimitive || type.Namespace?.StartsWith("System.Net", StringComparison.Ordinal) == true)
            {
                return;
            }

            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (var field in t.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly))
                {
                    Walk(field.GetValue(value), left - 1);
                }
            }
        }

        Walk(root, depth);
        return found;
    }
}
