using System.Net.Security;
using System.Net.Sockets;
using MfaHost.Plugins.Hmc.Broker;
using MfaHost.Plugins.Hmc.Stomp;
using MfaHost.Plugins.Hmc.Tests.Support;
using MfaHost.Testing;
using MfaHost.Plugins.Hmc.Tests.TestServer;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Configuration;
using Moq;
using static MfaHost.Plugins.Hmc.Tests.Support.HmcTestEnvironment;

namespace MfaHost.Plugins.Hmc.Tests.Broker;

/// <summary>
/// The notification broker check against the test HMC's STOMP-over-TLS listener: an MFA user's broker
/// login works with the session credential and fails with the user's password.
/// </summary>
public class BrokerCheckTests
{
    private HmcTestEnvironment _env = null!;
    private CapturingLogger _log = null!;
    private HmcClient? _plugin;

    [SetUp]
    public async Task SetUp()
    {
        _env = await HmcTestEnvironment.StartAsync();
        _log = new CapturingLogger();
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_plugin is not null)
        {
            await _plugin.DisposeAsync();
        }

        await _env.DisposeAsync();
        _log.Dispose();
    }

    private HmcClient Plugin(int? brokerPort = null)
    {
        _plugin = _env.CreatePlugin(_env.HmcSection(extra: $"verify_broker = yes\nbroker_port = {brokerPort ?? _env.Hmc1.Broker.Port}"), _log);
        return _plugin;
    }

    private static MfaRequest Request(string user, string password, string? code = null) => new()
    {
        Username = user,
        MfaIdentity = user,
        Password = password,
        MfaPassword = code,
        Session = new MfaSession("gw-broker"),
    };

    private Task<string?> CheckAsync(string login, string passcode) => new BrokerProbe(_env).CheckAsync(login, passcode);

    [Test]
    public async Task Verify_broker_accepts_an_mfa_user_after_connecting_with_the_session_credential()
    {
        var verdict = await Plugin().ExecuteAuthenticateAsync(Request(MfaUser, MfaPassword, CurrentCode()), CancellationToken.None);

        Assert.That(verdict.IsAccept, Is.True, verdict.Message);
        var attempt = _env.Hmc1.Broker.Attempts.Single();
        Assert.Multiple(() =>
        {
            Assert.That(attempt.Accepted, Is.True);
            Assert.That(attempt.Login, Is.EqualTo(verdict.Metadata["api_session"]));
            Assert.That(attempt.Passcode, Is.EqualTo(verdict.Metadata["session_credential"]));
            Assert.That(attempt.Host, Is.EqualTo("localhost"));
            Assert.That(attempt.AcceptVersion, Is.EqualTo("1.2"));
            Assert.That(attempt.HeartBeat, Is.EqualTo("0,0"));
            Assert.That(_env.Hmc1.SessionOf(attempt.Login!).LoggedOff, Is.False, "the HMC session stays for the gateway");
        });
    }

    [Test]
    public async Task The_broker_takes_the_session_credential_of_an_mfa_user_but_not_the_users_password()
    {
        var verdict = await _env.CreatePlugin(_env.HmcSection(), _log).ExecuteAuthenticateAsync(Request(MfaUser, MfaPassword, CurrentCode()), CancellationToken.None);

        var withCredential = await CheckAsync(verdict.Metadata["api_session"], verdict.Metadata["session_credential"]);
        var withPassword = await CheckAsync(MfaUser, MfaPassword);

        Assert.That(withCredential, Is.Null);
        Assert.That(withPassword, Does.Contain(TestStompBroker.RefusalMessage));
        Assert.That(_env.Hmc1.Broker.Attempts.Select(a => a.Accepted), Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public async Task The_broker_takes_the_password_of_a_user_without_mfa()
    {
        Assert.That(await CheckAsync(PlainUser, PlainPassword), Is.Null);
    }

    [Test]
    public async Task A_broker_refusing_the_session_credential_denies_communication_error_naming_its_answer_and_logs_off()
    {
        _env.Hmc1.Broker.Authorize = (_, _) => false;

        var verdict = await Plugin().ExecuteAuthenticateAsync(Request(MfaUser, MfaPassword, CurrentCode()), CancellationToken.None);

        var session = _env.Hmc1.Sessions.Single();
        Assert.Multiple(() =>
        {
            Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.CommunicationError)));
            Assert.That(verdict.Message, Does.Contain($"ERROR '{TestStompBroker.RefusalMessage}'"));
            Assert.That(verdict.Message, Does.Not.Contain(session.Credential).And.Not.Contain(session.Id));
            Assert.That(verdict.Metadata, Is.Empty);
            Assert.That(session.LogoffRequests, Is.EqualTo(1));
            Assert.That(_log.AllText, Does.Not.Contain(session.Credential));
        });
    }

    [Test]
    public async Task A_broker_port_where_nothing_listens_denies_communication_error()
    {
        var verdict = await Plugin(brokerPort: _env.DownPort).ExecuteAuthenticateAsync(Request(PlainUser, PlainPassword), CancellationToken.None);

        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.CommunicationError)));
        Assert.That(verdict.Message, Does.Contain("cannot connect to the HMC notification broker"));
        Assert.That(_env.Hmc1.Sessions.Single().LogoffRequests, Is.EqualTo(1));
    }

    [Test]
    public async Task Stomp_connection_sees_connected_then_a_receipt_for_disconnect()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("localhost", _env.Hmc1.Broker.Port);
        var configuration = new PluginConfiguration(new ConfigurationBuilder().Build(), _env.Temp.Combine("none.ini"), Mock.Of<ICredentialStore>());
        var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new PluginHttpClientFactory(configuration).CreateSslOptions("localhost", _env.CaFile));
        await using var stomp = new StompConnection(ssl);

        var connected = await stomp.ConnectAsync("localhost", PlainUser, PlainPassword, CancellationToken.None);
        var receipt = await stomp.DisconnectAsync("r-1", CancellationToken.None);

        Assert.That(connected["version"], Is.EqualTo("1.2"));
        Assert.That(receipt, Is.True);
    }

    [Test]
    public async Task A_gateway_giving_up_during_the_broker_check_logs_the_hmc_session_off_and_cancels()
    {
        using var gatewayGivesUp = new CancellationTokenSource();
        var authorize = _env.Hmc1.Broker.Authorize;
        _env.Hmc1.Broker.Authorize = (login, passcode) =>
        {
            gatewayGivesUp.Cancel();
            return authorize(login, passcode);
        };
        var plugin = Plugin();
        var request = Request(PlainUser, PlainPassword);

        Assert.That(async () => await plugin.ExecuteAuthenticateAsync(request, gatewayGivesUp.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(_env.Hmc1.Sessions.Single().LogoffRequests, Is.EqualTo(1));
        Assert.That(plugin.LiveSessionCount, Is.Zero);
        Assert.That(request.Session.Items, Is.Empty);
    }
}
