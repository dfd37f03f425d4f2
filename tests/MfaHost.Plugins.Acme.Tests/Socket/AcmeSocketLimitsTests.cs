using System.Text.RegularExpressions;
using MfaHost.Client;
using MfaHost.Plugins.Acme.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;

namespace MfaHost.Plugins.Acme.Tests.Socket;

/// <summary>
/// The host-enforced limits with the acme plugin, through the socket against the fake Acme service: the lock-out,
/// the push limit and number matching. What reached the service is read from its request log.
/// </summary>
[TestFixture]
public sealed partial class AcmeSocketLimitsTests
{
    private const string Code = "482913";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private AcmeTestServer _server = null!;
    private RunningHost _host = null!;
    private MfaHostClient _client = null!;

    private static string PluginsDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");

    [OneTimeSetUp]
    public async Task StartServerAndHost()
    {
        _server = await AcmeTestServer.StartAsync();
        string Instance(string extra) =>
            $"[plugin]\ntype = acme\n\n[acme]\nserver_url = {_server.BaseUrl}\ntoken = {_server.Token}\npoll_interval = 0.05\nrequest_timeout = 30\n{extra}";
        _host = await RunningHost.StartAsync(PluginsDirectory, new Dictionary<string, string>
        {
            // The defaults: [lockout] 5 in 300 s for 300 s, [push_limit] 3 in 300 s.
            ["acme"] = Instance(string.Empty),
            ["acme_numbers"] = Instance("\n[push]\nnumber_matching = yes\n"),
            ["acme_unlimited"] = Instance("\n[lockout]\nfailures = 0\n\n[push_limit]\nmax = 0\n"),
        });
        _client = await _host.CreateClientAsync();
    }

    [OneTimeTearDown]
    public async Task StopServerAndHost()
    {
        await _client.DisposeAsync();
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    [TearDown]
    public void No_secret_reaches_the_host_log() =>
        Assert.That(string.Join("\n", _host.Logs), Does.Not.Contain(_server.Token).And.Not.Contain(Code));

    private static string NewUser(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private async Task<AuthenticateResult> Authenticate(AuthenticateParams parameters) =>
        await _client.AuthenticateAsync(parameters).WaitAsync(Guard);

    private static AuthenticateParams Push(string plugin, string user) =>
        new() { Plugin = plugin, SessionId = Guid.NewGuid().ToString("N"), Username = user, Protocol = "https" };

    private static AuthenticateParams Otp(string plugin, string user, string code) =>
        new() { Plugin = plugin, SessionId = Guid.NewGuid().ToString("N"), Username = user, MfaPassword = code, Protocol = "https" };

    private int OtpRequestsOf(string user) =>
        _server.Requests.Count(r => r.Method == "POST" && r.Path == "/otp/verify" && r.Body.Contains($"\"{user}\"", StringComparison.Ordinal));

    [Test]
    public async Task The_sixth_wrong_code_is_locked_out_without_reaching_the_service_and_the_right_code_too()
    {
        var user = NewUser("guess");
        _server.SetUser(user, new AcmeUser { ValidOtp = Code });
        var answers = new List<AuthenticateResult>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await Authenticate(Otp("acme", user, $"00000{i}")));
        }

        var rightCodeWhileLocked = await Authenticate(Otp("acme", user, Code));
        var plugins = await _client.PluginsAsync().WaitAsync(Guard);
        Assert.Multiple(() =>
        {
            Assert.That(answers.Take(5).Select(a => a.Reason), Is.All.EqualTo(MfaReasons.AuthenticationFailed));
            Assert.That((answers[5].Verdict, answers[5].Reason), Is.EqualTo(("DENY", MfaReasons.LockedOut)));
            Assert.That(answers[5].Message, Does.Match(@"try again in \d+ s"));
            Assert.That(rightCodeWhileLocked.Reason, Is.EqualTo(MfaReasons.LockedOut));
            Assert.That(OtpRequestsOf(user), Is.EqualTo(5), "only the five guesses before the lock reached Acme");
            Assert.That(plugins.Single(p => p.Name == "acme").Limits!.LockedOut, Is.GreaterThanOrEqualTo(1));
            Assert.That(plugins.Single(p => p.Name == "acme").Limits!.LockoutFailures, Is.EqualTo(5));
        });
    }

    [Test]
    public async Task A_success_clears_the_count_and_a_lockout_is_per_identity_and_per_instance()
    {
        var user = NewUser("clear");
        var other = NewUser("other");
        _server.SetUser(user, new AcmeUser { ValidOtp = Code });
        _server.SetUser(other, new AcmeUser { ValidOtp = Code });
        for (var i = 0; i < 4; i++)
        {
            await Authenticate(Otp("acme", user, "111111"));
        }

        Assert.That((await Authenticate(Otp("acme", user, Code))).Verdict, Is.EqualTo("ACCEPT"));
        for (var i = 0; i < 4; i++)
        {
            Assert.That((await Authenticate(Otp("acme", user, "111111"))).Reason, Is.EqualTo(MfaReasons.AuthenticationFailed), "the count started over");
        }

        for (var i = 0; i < 6; i++)
        {
            await Authenticate(Otp("acme_unlimited", other, "111111"));
        }

        Assert.Multiple(async () =>
        {
            Assert.That((await Authenticate(Otp("acme", other, Code))).Verdict, Is.EqualTo("ACCEPT"), "another instance's failures do not count");
            Assert.That((await Authenticate(Otp("acme_unlimited", other, "111111"))).Reason, Is.EqualTo(MfaReasons.AuthenticationFailed), "failures = 0: no lock-out");
        });
    }

    [Test]
    public async Task The_fourth_push_in_five_minutes_is_push_rate_limited_without_reaching_the_service()
    {
        var user = NewUser("bomb");
        _server.SetUser(user);
        var answers = new List<AuthenticateResult>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await Authenticate(Push("acme", user)));
        }

        var plugins = await _client.PluginsAsync().WaitAsync(Guard);
        var stats = await _client.CallAsync("stats").WaitAsync(Guard);
        Assert.Multiple(() =>
        {
            Assert.That(stats.GetProperty("limits").EnumerateArray().Single(l => l.GetProperty("instance").GetString() == "acme").GetProperty("push_rate_limited").GetInt32(), Is.GreaterThanOrEqualTo(1));
            Assert.That(answers.Take(3).Select(a => a.Verdict), Is.All.EqualTo("ACCEPT"));
            Assert.That((answers[3].Verdict, answers[3].Reason), Is.EqualTo(("DENY", "push_rate_limited")));
            Assert.That(_server.TransactionsOf(user), Has.Count.EqualTo(3), "the fourth push never reached Acme");
            Assert.That(_server.Requests.Count(r => r.Method == "POST" && r.Path == "/push" && r.Body.Contains(user, StringComparison.Ordinal)), Is.EqualTo(3));
            Assert.That(plugins.Single(p => p.Name == "acme").Limits!.PushRateLimited, Is.GreaterThanOrEqualTo(1));
        });

        // One-time passwords are not pushes: still served.
        Assert.That((await Authenticate(Otp("acme", user, "123456"))).Verdict, Is.EqualTo("ACCEPT"));
    }

    [Test]
    public async Task Without_a_push_limit_pushes_are_not_counted()
    {
        var user = NewUser("many");
        _server.SetUser(user);
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await Authenticate(Push("acme_unlimited", user))).Verdict, Is.EqualTo("ACCEPT"));
        }
    }

    [Test]
    public async Task Number_matching_shows_a_number_first_and_the_push_carries_it_as_number()
    {
        var user = NewUser("match");
        _server.SetUser(user);
        var first = Push("acme_numbers", user);
        var question = await Authenticate(first);
        Assert.That(_server.TransactionsOf(user), Is.Empty, "no push before the user saw the number");
        var answer = await Authenticate(first.WithAnswer(string.Empty));
        var shown = ShownNumber().Match(question.Question ?? string.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(question.Verdict, Is.EqualTo("NEEDINFO"));
            Assert.That(question.Key, Is.EqualTo("push_number"));
            Assert.That(shown.Success, Is.True, question.Question);
            Assert.That(answer.Verdict, Is.EqualTo("ACCEPT"));
            var txid = _server.TransactionsOf(user).Single();
            Assert.That(_server.PushNumberOf(txid), Is.EqualTo(int.Parse(shown.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(_server.Requests.Single(r => r.Method == "POST" && r.Path == "/push" && r.Body.Contains(user, StringComparison.Ordinal)).Body,
                Does.Contain($"\"number\":\"{shown.Groups[1].Value}\""));
        });
    }

    [Test]
    public async Task Without_number_matching_the_push_has_no_number_and_a_forged_answer_only_shows_one()
    {
        var user = NewUser("plain");
        _server.SetUser(user);
        Assert.That((await Authenticate(Push("acme", user))).Verdict, Is.EqualTo("ACCEPT"));
        Assert.That(_server.PushNumberOf(_server.TransactionsOf(user).Single()), Is.Null);

        // An answer for a number the host never showed sends no push: the user is shown a number first.
        var forged = await Authenticate(new AuthenticateParams
        {
            Plugin = "acme_numbers",
            SessionId = Guid.NewGuid().ToString("N"),
            Username = user,
            Attributes = new Dictionary<string, string> { ["push_number"] = string.Empty },
        });
        Assert.Multiple(() =>
        {
            Assert.That(forged.Verdict, Is.EqualTo("NEEDINFO"));
            Assert.That(_server.TransactionsOf(user), Has.Count.EqualTo(1));
        });
    }

    [GeneratedRegex(@"showing (\d\d) on your phone")]
    private static partial Regex ShownNumber();
}
