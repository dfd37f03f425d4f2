using System.Net;
using System.Net.Sockets;
using MfaHost.Client;
using MfaHost.Plugins.Acme.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;

namespace MfaHost.Plugins.Acme.Tests.Socket;

/// <summary>
/// The acme plugin end to end: a real host (RunningHost) loading the plugin from its laid-out folder,
/// the gateway socket, MfaHostClient, and the real Acme test server. Every row of the spec's
/// "what the plugin does with the answers" is here, plus cancellation, session_ended and load.
/// </summary>
[TestFixture]
public sealed class AcmeSocketTests
{
    private const string Code = "246810";
    private const string WrongToken = "wrong-token-0d3b9f";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private AcmeTestServer _server = null!;
    private AcmeTestServer _https = null!;
    private AcmeTestServer _wrongHost = null!;
    private TestCertificateAuthority _ca = null!;
    private TempDirectory _temp = null!;
    private RunningHost _host = null!;
    private MfaHostClient _client = null!;

    private static string PluginsDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");

    [OneTimeSetUp]
    public async Task StartServersAndHost()
    {
        _temp = new TempDirectory();
        _ca = new TestCertificateAuthority();
        var caFile = _ca.WriteRootPem(_temp.Combine("ca.pem"));
        string otherCaFile;
        using (var other = new TestCertificateAuthority("Not The Acme CA"))
        {
            otherCaFile = other.WriteRootPem(_temp.Combine("other-ca.pem"));
        }

        _server = await AcmeTestServer.StartAsync();
        _https = await AcmeTestServer.StartAsync(certificate: _ca.IssueServerCertificate("localhost"), host: "localhost");
        _https.SetUser("alice", new AcmeUser { ValidOtp = Code });
        _wrongHost = await AcmeTestServer.StartAsync(certificate: _ca.IssueServerCertificate("acme.example"));
        _wrongHost.SetUser("alice", new AcmeUser { ValidOtp = Code });

        // A generous request_timeout: on a loaded machine a loopback answer may take a while. The
        // "quick" instances have a short one for the rows about a service that never answers.
        const string Fast = "poll_interval = 0.05\nrequest_timeout = 30\n";
        const string Quick = "poll_interval = 0.05\nrequest_timeout = 1\n";
        var instances = new Dictionary<string, string>
        {
            ["acme"] = Instance(_server.BaseUrl, _server.Token, Fast),
            ["acme_open"] = Instance(_server.BaseUrl, _server.Token, Fast + "ignore_connection_error = yes\n"),
            ["acme_quick"] = Instance(_server.BaseUrl, _server.Token, Quick),
            ["acme_quick_open"] = Instance(_server.BaseUrl, _server.Token, Quick + "ignore_connection_error = yes\n"),
            ["acme_batch"] = Instance(_server.BaseUrl, _server.Token, Fast + "status_batch = 20\n"),
            ["acme_short"] = Instance(_server.BaseUrl, _server.Token, Fast + "push_timeout = 0.5\n"),
            ["acme_badtoken"] = Instance(_server.BaseUrl, WrongToken, Fast + "ignore_connection_error = yes\n"),
            ["acme_refused"] = Instance(new Uri($"http://127.0.0.1:{ClosedPort()}/api/v1"), _server.Token, Fast),
            ["acme_refused_open"] = Instance(new Uri($"http://127.0.0.1:{ClosedPort()}/api/v1"), _server.Token, Fast + "ignore_connection_error = yes\n"),
            ["acme_dns"] = Instance(new Uri("https://acme-mfa-test.invalid/api/v1"), _server.Token, Fast),
            ["acme_tls"] = Instance(_https.BaseUrl, _https.Token, $"ca_file = {caFile}\n"),
            ["acme_untrusted"] = Instance(_https.BaseUrl, _https.Token, $"ca_file = {otherCaFile}\n"),
            ["acme_untrusted_open"] = Instance(_https.BaseUrl, _https.Token, $"ca_file = {otherCaFile}\nignore_connection_error = yes\n"),
            ["acme_wronghost"] = Instance(_wrongHost.BaseUrl, _wrongHost.Token, $"ca_file = {caFile}\n"),
        };
        _host = await RunningHost.StartAsync(PluginsDirectory, instances);
        _client = await _host.CreateClientAsync();
    }

    [OneTimeTearDown]
    public async Task StopServersAndHost()
    {
        await _client.DisposeAsync();
        await _host.DisposeAsync();
        await _server.DisposeAsync();
        await _https.DisposeAsync();
        await _wrongHost.DisposeAsync();
        _ca.Dispose();
        _temp.Dispose();
    }

    [TearDown]
    public void No_secret_reaches_the_host_log()
    {
        var logs = string.Join("\n", _host.Logs);
        Assert.That(logs, Does.Not.Contain(_server.Token).And.Not.Contain(WrongToken).And.Not.Contain(Code), "a token or code reached the host's log");
    }

    private static string Instance(Uri url, string token, string extra) =>
        $"[plugin]\ntype = acme\n\n[acme]\nserver_url = {url}\ntoken = {token}\n{extra}";

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string NewUser(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private static AuthenticateParams Push(string plugin, string user, string? session = null) => new()
    {
        Plugin = plugin,
        SessionId = session ?? Guid.NewGuid().ToString("N"),
        Username = user,
        ClientIp = "10.0.0.7",
        Protocol = "https",
        Target = "portal.example",
    };

    private static AuthenticateParams Otp(string plugin, string user, string code) => new()
    {
        Plugin = plugin,
        SessionId = Guid.NewGuid().ToString("N"),
        Username = user,
        MfaPassword = code,
        Protocol = "https",
    };

    private async Task<AuthenticateResult> Authenticate(AuthenticateParams parameters) =>
        await _client.AuthenticateAsync(parameters).WaitAsync(Guard);

    private static void AssertVerdict(AuthenticateResult result, string verdict, string reason, string? message = null)
    {
        Assert.That((result.Verdict, result.Reason), Is.EqualTo((verdict, reason)), result.ToString());
        if (message is not null)
        {
            Assert.That(result.Message, Does.Contain(message));
        }
    }

    [Test]
    public async Task Plugins_lists_every_acme_instance_loaded_with_push_and_otp_and_a_closed_circuit()
    {
        var plugins = await _client.PluginsAsync().WaitAsync(Guard);
        var acme = plugins.Where(p => p.Type == "acme").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(acme, Has.Count.EqualTo(14));
            Assert.That(acme.Select(p => p.Status), Is.All.EqualTo("loaded"));
            Assert.That(acme.Single(p => p.Name == "acme").Capabilities, Is.EquivalentTo(new[] { "push", "otp" }));
            Assert.That(acme.Single(p => p.Name == "acme").Circuit, Is.EqualTo("closed"));
        });
    }

    [Test]
    public async Task Push_approved_is_accept_and_the_push_names_user_target_and_client()
    {
        var user = NewUser("approve");
        _server.SetUser(user, new AcmeUser { WaitingPolls = 2 });
        var result = await Authenticate(Push("acme", user));
        var txid = _server.TransactionsOf(user).Single();
        Assert.Multiple(() =>
        {
            AssertVerdict(result, "ACCEPT", MfaReasons.Accepted);
            Assert.That(result.MfaIdentity, Is.EqualTo(user));
            Assert.That(_server.MessageOf(txid), Is.EqualTo($"Login of {user} to https://portal.example from 10.0.0.7"));
            Assert.That(_server.PollsOf(txid), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task Push_on_an_interactive_protocol_asks_first_and_an_empty_answer_pushes()
    {
        var user = NewUser("ssh");
        _server.SetUser(user);
        var first = new AuthenticateParams { Plugin = "acme", SessionId = Guid.NewGuid().ToString("N"), Username = user, Protocol = "ssh", Target = "db1", ClientIp = "10.0.0.7" };
        var question = await Authenticate(first);
        var answer = await Authenticate(first.WithAnswer(string.Empty));
        Assert.Multiple(() =>
        {
            AssertVerdict(question, "NEEDINFO", MfaReasons.NeedInfo);
            AssertVerdict(answer, "ACCEPT", MfaReasons.Accepted);
            Assert.That(_server.MessageOf(_server.TransactionsOf(user).Single()), Is.EqualTo($"Login of {user} to ssh://db1 from 10.0.0.7"));
        });
    }

    [TestCase(PushDecision.Deny, "denied")]
    [TestCase(PushDecision.Expire, "expired")]
    public async Task Push_denied_or_expired_is_deny_authentication_failed(PushDecision decision, string word)
    {
        var user = NewUser("no");
        _server.SetUser(user, new AcmeUser { Push = decision, WaitingPolls = 1 });
        AssertVerdict(await Authenticate(Push("acme", user)), "DENY", MfaReasons.AuthenticationFailed, word);
    }

    [Test]
    public async Task Push_without_an_answer_within_push_timeout_is_deny_timeout()
    {
        var user = NewUser("never");
        _server.SetUser(user, new AcmeUser { Push = PushDecision.Never });
        AssertVerdict(await Authenticate(Push("acme_short", user)), "DENY", MfaReasons.Timeout);
    }

    [Test]
    public async Task Otp_valid_is_accept_and_invalid_is_deny()
    {
        var user = NewUser("otp");
        _server.SetUser(user, new AcmeUser { ValidOtp = Code });
        AssertVerdict(await Authenticate(Otp("acme", user, Code)), "ACCEPT", MfaReasons.Accepted);
        AssertVerdict(await Authenticate(Otp("acme", user, "111111")), "DENY", MfaReasons.AuthenticationFailed);
    }

    [Test]
    public async Task Unknown_user_is_deny_unknown_user_with_the_same_message_as_a_wrong_code()
    {
        // The gateway gets the precise reason; the user the same message as for a wrong code (no user enumeration).
        AssertVerdict(await Authenticate(Push("acme", NewUser("nobody"))), "DENY", "unknown_user", "Authentication failed");
        AssertVerdict(await Authenticate(Otp("acme", NewUser("nobody"), Code)), "DENY", "unknown_user", "Authentication failed");
    }

    [Test]
    public async Task Rate_limited_is_deny_rate_limited_saying_so()
    {
        var user = NewUser("limited");
        _server.SetUser(user, new AcmeUser { OnOtp = AcmeFault.RateLimited });
        AssertVerdict(await Authenticate(Otp("acme", user, Code)), "DENY", "rate_limited", "Too many attempts");
    }

    [TestCase(AcmeFault.ServerError)]
    [TestCase(AcmeFault.Unavailable)]
    [TestCase(AcmeFault.GarbageJson)]
    [TestCase(AcmeFault.WrongShape)]
    [TestCase(AcmeFault.UnexpectedStatus)]
    public async Task Answers_the_plugin_does_not_understand_are_communication_errors_even_when_failing_open(AcmeFault fault)
    {
        var user = NewUser("comm");
        _server.SetUser(user, new AcmeUser { OnOtp = fault, OnPoll = fault });
        foreach (var instance in new[] { "acme", "acme_open" })
        {
            AssertVerdict(await Authenticate(Otp(instance, user, Code)), "DENY", MfaReasons.CommunicationError);
            AssertVerdict(await Authenticate(Push(instance, user)), "DENY", MfaReasons.CommunicationError);
        }
    }

    [Test]
    public async Task A_rejected_api_token_is_a_communication_error_even_when_failing_open()
    {
        var user = NewUser("token");
        _server.SetUser(user);
        AssertVerdict(await Authenticate(Push("acme_badtoken", user)), "DENY", MfaReasons.CommunicationError);
        Assert.That(_host.Logs, Has.Some.Contains("answered HTTP 401 'bad_token'"));
    }

    [TestCase("acme_refused", "cannot connect")]
    [TestCase("acme_dns", "cannot resolve the host name")]
    public async Task A_service_that_cannot_be_reached_is_deny_service_unreachable(string instance, string logged)
    {
        AssertVerdict(await Authenticate(Otp(instance, "alice", Code)), "DENY", MfaReasons.ServiceUnreachable);
        Assert.That(_host.Logs, Has.Some.Contains(logged));
    }

    [Test]
    public async Task A_service_that_cannot_be_reached_is_accept_when_failing_open() =>
        AssertVerdict(await Authenticate(Otp("acme_refused_open", "alice", Code)), "ACCEPT", MfaReasons.AcceptedServiceUnreachable);

    [TestCase("acme_untrusted")]
    [TestCase("acme_wronghost")]
    [TestCase("acme_untrusted_open")]
    public async Task A_certificate_that_does_not_validate_is_deny_communication_error_even_when_failing_open(string instance)
    {
        AssertVerdict(await Authenticate(Otp(instance, "alice", Code)), "DENY", MfaReasons.CommunicationError);
        Assert.That(_host.Logs, Has.Some.Contains("TLS handshake failed"));
    }

    [TestCase(AcmeFault.Hang, "no answer within 1 s")]
    [TestCase(AcmeFault.AbortMidResponse, "")]
    [TestCase(AcmeFault.AbortBeforeResponse, "")]
    public async Task No_answer_or_a_dropped_connection_is_service_unreachable_or_accept_when_failing_open(AcmeFault fault, string logged)
    {
        var user = NewUser("gone");
        _server.SetUser(user, new AcmeUser { OnOtp = fault, OnPoll = fault });
        AssertVerdict(await Authenticate(Otp("acme_quick", user, Code)), "DENY", MfaReasons.ServiceUnreachable);
        AssertVerdict(await Authenticate(Push("acme_quick_open", user)), "ACCEPT", MfaReasons.AcceptedServiceUnreachable);
        Assert.That(_host.Logs, Has.Some.Contains(logged));
    }

    [Test]
    public async Task Https_with_the_configured_ca_file_works()
    {
        AssertVerdict(await Authenticate(Otp("acme_tls", "alice", Code)), "ACCEPT", MfaReasons.Accepted);
        Assert.That(_https.Requests, Has.Some.Matches<AcmeRequestLogEntry>(r => r.Path == "/otp/verify" && r.BearerTokenValid));
    }

    /// <summary>
    /// Polling stops when the gateway gives up: a second push on another connection is the metronome.
    /// Once it has been polled five more times after the cancellation, the cancelled push may have got
    /// at most one more poll. No clock is read.
    /// </summary>
    [TestCase("acme")]
    [TestCase("acme_batch")]
    public async Task Closing_the_connection_stops_polling_within_one_poll_interval(string instance)
    {
        var metronome = await StartMetronomeAsync();
        var user = NewUser("gives-up");
        _server.SetUser(user, new AcmeUser { Push = PushDecision.Never });
        var gateway = await _host.CreateClientAsync();
        var pending = gateway.AuthenticateAsync(Push(instance, user));
        await _server.WaitForAsync(s => s.TransactionsOf(user).Count == 1 && s.PollsOf(s.TransactionsOf(user)[0]) >= 2).WaitAsync(Guard);
        var txid = _server.TransactionsOf(user)[0];

        await gateway.DisposeAsync();
        var pollsAtCancel = _server.PollsOf(txid);
        await metronome.TicksAsync(5);

        Assert.Multiple(() =>
        {
            Assert.That(async () => await pending.WaitAsync(Guard), Throws.Exception);
            Assert.That(_server.PollsOf(txid) - pollsAtCancel, Is.LessThanOrEqualTo(1));
        });
        await metronome.StopAsync();
    }

    [Test]
    public async Task Session_ended_stops_a_pending_push()
    {
        var metronome = await StartMetronomeAsync();
        var user = NewUser("ended");
        _server.SetUser(user, new AcmeUser { Push = PushDecision.Never });
        var request = Push("acme", user);
        var pending = _client.AuthenticateAsync(request);
        await _server.WaitForAsync(s => s.TransactionsOf(user).Count == 1 && s.PollsOf(s.TransactionsOf(user)[0]) >= 2).WaitAsync(Guard);
        var txid = _server.TransactionsOf(user)[0];

        await using (var other = await _host.CreateClientAsync())
        {
            Assert.That(await other.SessionEndedAsync(request.SessionId).WaitAsync(Guard), Is.True);
        }

        var pollsAtEnd = _server.PollsOf(txid);
        var result = await pending.WaitAsync(Guard);
        await metronome.TicksAsync(5);
        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo("DENY"));
            Assert.That(_server.PollsOf(txid) - pollsAtEnd, Is.LessThanOrEqualTo(1));
        });
        await metronome.StopAsync();
    }

    [Test]
    public async Task A_thousand_concurrent_pushes_get_the_right_verdicts()
    {
        const int Count = 1000;
        var users = Enumerable.Range(0, Count).Select(i => (Name: $"load{i:D4}-{Guid.NewGuid():N}"[..20], Approve: i % 4 != 0)).ToList();
        foreach (var (name, approve) in users)
        {
            _server.SetUser(name, new AcmeUser { Push = approve ? PushDecision.Approve : PushDecision.Deny, WaitingPolls = 1 });
        }

        // Several gateway connections, each pipelining its share of the requests.
        var clients = new List<MfaHostClient>();
        for (var i = 0; i < 8; i++)
        {
            clients.Add(await _host.CreateClientAsync());
        }

        try
        {
            var results = await Task.WhenAll(users.Select((u, i) => clients[i % clients.Count].AuthenticateAsync(Push("acme", u.Name)))).WaitAsync(TimeSpan.FromMinutes(3));
            var wrong = users.Zip(results).Where(p => p.Second.Verdict != (p.First.Approve ? "ACCEPT" : "DENY")).Select(p => $"{p.First.Name}: {p.Second}").ToList();
            var polls = users.SelectMany(u => _server.TransactionsOf(u.Name)).Select(t => "/push/" + t).ToHashSet(StringComparer.Ordinal);
            var connections = _server.Requests.Where(r => polls.Contains(r.Path)).Select(r => r.ConnectionId).Distinct().Count();
            Assert.Multiple(() =>
            {
                // The SDK's pool: at most [http] max_connections (default 32) to the service, however many pushes wait.
                Assert.That(connections, Is.InRange(1, 32));
                Assert.That(wrong, Is.Empty);
                Assert.That(results.Count(r => r.IsDeny), Is.EqualTo(Count / 4));
                Assert.That(results.Where(r => r.IsDeny).Select(r => r.Reason), Is.All.EqualTo(MfaReasons.AuthenticationFailed));
            });
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private async Task<Metronome> StartMetronomeAsync()
    {
        var user = NewUser("metronome");
        _server.SetUser(user, new AcmeUser { Push = PushDecision.Never });
        var request = Push("acme", user);
        var pending = _client.AuthenticateAsync(request);
        await _server.WaitForAsync(s => s.TransactionsOf(user).Count == 1).WaitAsync(Guard);
        return new Metronome(_server, _client, request.SessionId, _server.TransactionsOf(user)[0], pending);
    }

    /// <summary>A push nobody answers, polled every poll_interval: counts time in polls, not in seconds.</summary>
    private sealed class Metronome(AcmeTestServer server, MfaHostClient client, string sessionId, string txid, Task<AuthenticateResult> pending)
    {
        public async Task TicksAsync(int ticks)
        {
            var target = server.PollsOf(txid) + ticks;
            await server.WaitForAsync(s => s.PollsOf(txid) >= target).WaitAsync(Guard);
        }

        public async Task StopAsync()
        {
            await client.SessionEndedAsync(sessionId).WaitAsync(Guard);
            await pending.WaitAsync(Guard);
        }
    }
}
