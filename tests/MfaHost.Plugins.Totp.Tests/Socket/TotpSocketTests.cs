using System.Text.RegularExpressions;
using MfaHost.Client;
using MfaHost.PluginSdk;
using MfaHost.Plugins.Totp.Tests.Otp;
using MfaHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Plugins.Totp.Tests.Socket;

/// <summary>
/// The totp plugin end to end: a real host (RunningHost) with the plugin laid out as a plugin folder, the SQLite store in
/// the host's data folder, enrollment through the real <c>mfahost totp</c> command line while the host runs, the gateway
/// socket and MfaHostClient, and a fake clock injected through the host's services.
/// </summary>
public sealed partial class TotpSocketTests
{
    private const string Instance = "totp";
    private const string StrictInstance = "totp_strict";

    private TempDirectory _data = null!;
    private FakeTimeProvider _time = null!;
    private RunningHost _host = null!;

    private static string PluginsDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");

    [SetUp]
    public async Task StartHost()
    {
        _data = new TempDirectory();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        _host = await StartAsync();
    }

    [TearDown]
    public async Task StopHost()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Test]
    public async Task Codes_from_oathtool_are_accepted_for_a_user_enrolled_through_the_cli_while_the_host_runs()
    {
        var secret = await EnrollAsync("alice");
        await using var client = await _host.CreateClientAsync();

        var result = await client.AuthenticateAsync(Otp("alice", await Oathtool.TotpAsync(secret, _time.GetUtcNow())));

        Assert.That(result.Verdict, Is.EqualTo("ACCEPT"), result.ToString());
        Assert.That(result.Reason, Is.EqualTo(MfaReasons.Accepted));
    }

    [Test]
    public async Task A_reused_code_is_refused_as_replayed_also_after_a_restart_on_the_same_data_folder()
    {
        var secret = await EnrollAsync("alice");
        var code = await Oathtool.TotpAsync(secret, _time.GetUtcNow());
        await using (var client = await _host.CreateClientAsync())
        {
            Assert.That((await client.AuthenticateAsync(Otp("alice", code))).Verdict, Is.EqualTo("ACCEPT"));
            var again = await client.AuthenticateAsync(Otp("alice", code));
            Assert.That(again.Verdict, Is.EqualTo("DENY"));
            Assert.That(again.Reason, Is.EqualTo(MfaReasons.Replayed));
        }

        await _host.DisposeAsync();
        _host = await StartAsync();
        _time.Advance(TimeSpan.FromSeconds(20));

        await using var restarted = await _host.CreateClientAsync();
        var afterRestart = await restarted.AuthenticateAsync(Otp("alice", code));
        Assert.That(afterRestart.Reason, Is.EqualTo(MfaReasons.Replayed), afterRestart.ToString());
    }

    [Test]
    public async Task Five_failures_lock_the_user_out_until_the_failure_window_has_passed()
    {
        var secret = await EnrollAsync("alice");
        await using var client = await _host.CreateClientAsync();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await client.AuthenticateAsync(Otp("alice", "000000"));
            Assert.That(wrong.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed), wrong.ToString());
        }

        var locked = await client.AuthenticateAsync(Otp("alice", await Oathtool.TotpAsync(secret, _time.GetUtcNow())));
        Assert.That(locked.Verdict, Is.EqualTo("DENY"));
        Assert.That(locked.Reason, Is.EqualTo(MfaReasons.LockedOut));
        Assert.That(locked.Message, Does.Contain("300 s"));

        _time.Advance(TimeSpan.FromSeconds(300));
        var released = await client.AuthenticateAsync(Otp("alice", await Oathtool.TotpAsync(secret, _time.GetUtcNow())));
        Assert.That(released.Verdict, Is.EqualTo("ACCEPT"), released.ToString());
    }

    [Test]
    public async Task A_push_request_asks_for_the_code_and_the_answer_is_accepted()
    {
        var secret = await EnrollAsync("alice");
        await using var client = await _host.CreateClientAsync();
        var push = new AuthenticateParams { Plugin = Instance, SessionId = "push-1", Username = "alice" };

        var question = await client.AuthenticateAsync(push);
        Assert.That(question.Verdict, Is.EqualTo("NEEDINFO"), question.ToString());
        Assert.That(question.Question, Is.EqualTo("One-time password: "));
        Assert.That(question.Key, Is.EqualTo("otp"));
        Assert.That(question.DisableEcho, Is.True);

        var answered = await client.AuthenticateAsync(push.WithAnswer(await Oathtool.TotpAsync(secret, _time.GetUtcNow())));
        Assert.That(answered.Verdict, Is.EqualTo("ACCEPT"), answered.ToString());
    }

    [Test]
    public async Task A_scratch_code_is_accepted_once_only()
    {
        var enrolled = await _host.RunCliAsync(["totp", "enroll", "alice"]);
        var scratch = ScratchCode().Match(enrolled.Output).Groups[1].Value;
        await using var client = await _host.CreateClientAsync();

        var first = await client.AuthenticateAsync(Otp("alice", scratch));
        var second = await client.AuthenticateAsync(Otp("alice", scratch));

        Assert.That(first.Verdict, Is.EqualTo("ACCEPT"), first.ToString());
        Assert.That(second.Verdict, Is.EqualTo("DENY"));
        Assert.That((await _host.RunCliAsync(["totp", "list"])).Output, Does.Contain("9 of 10"));
    }

    [Test]
    public async Task Two_concurrent_logins_with_the_same_valid_code_give_exactly_one_accept()
    {
        var secret = await EnrollAsync("alice");
        var code = await Oathtool.TotpAsync(secret, _time.GetUtcNow());
        await using var first = await _host.CreateClientAsync();
        await using var second = await _host.CreateClientAsync();

        var results = await Task.WhenAll(
            Task.Run(() => first.AuthenticateAsync(Otp("alice", code, "s-1"))),
            Task.Run(() => second.AuthenticateAsync(Otp("alice", code, "s-2"))));

        Assert.That(results.Count(r => r.IsAccept), Is.EqualTo(1), string.Join("; ", results.Select(r => r.ToString())));
        Assert.That(results.Single(r => !r.IsAccept).Reason, Is.EqualTo(MfaReasons.Replayed));
    }

    [Test]
    public async Task An_unknown_user_is_denied_as_not_enrolled_and_a_removed_user_at_once()
    {
        var secret = await EnrollAsync("alice");
        await using var client = await _host.CreateClientAsync();

        var unknown = await client.AuthenticateAsync(Otp("mallory", "123456"));
        Assert.That(unknown.Verdict, Is.EqualTo("DENY"));
        Assert.That(unknown.Reason, Is.EqualTo(TotpClient.NotEnrolledReason));

        Assert.That((await _host.RunCliAsync(["totp", "remove", "alice"])).ExitCode, Is.Zero);
        var removed = await client.AuthenticateAsync(Otp("alice", await Oathtool.TotpAsync(secret, _time.GetUtcNow())));
        Assert.That(removed.Reason, Is.EqualTo(TotpClient.NotEnrolledReason));
    }

    [Test]
    public async Task An_unknown_user_an_unenrolled_user_and_a_wrong_code_show_the_user_the_same_message()
    {
        await EnrollAsync("alice");
        await using var client = await _host.CreateClientAsync();

        var unknown = await client.AuthenticateAsync(Otp("mallory", "123456"));
        var wrong = await client.AuthenticateAsync(Otp("alice", "000000"));

        Assert.That(unknown.Reason, Is.EqualTo(TotpClient.NotEnrolledReason), "the reason stays precise for the gateway");
        Assert.That(wrong.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
        Assert.That(unknown.Message, Is.EqualTo(wrong.Message), "the user cannot tell an unknown name from a wrong code");
        Assert.That(unknown.Message, Does.Not.Contain("mallory").And.Not.Contain("enrolled"));
        Assert.That(_host.Logs, Has.Some.Contains("TOTP refused for mallory: not enrolled"), "the log keeps the precise cause");
    }

    [Test]
    public async Task The_auth_command_authenticates_through_the_socket()
    {
        var secret = await EnrollAsync("alice");

        var result = await _host.RunCliAsync(["auth", "--plugin", Instance, "--user", "alice", "--otp", await Oathtool.TotpAsync(secret, _time.GetUtcNow())]);

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Output, Does.Contain("verdict: ACCEPT"));
    }

    [Test]
    public async Task No_code_or_secret_reaches_the_host_log()
    {
        var secret = await EnrollAsync("alice");
        var code = await Oathtool.TotpAsync(secret, _time.GetUtcNow());
        await using var client = await _host.CreateClientAsync();
        await client.AuthenticateAsync(Otp("alice", code));
        await client.AuthenticateAsync(Otp("alice", code));
        await client.AuthenticateAsync(Otp("alice", "918273"));

        var logs = string.Join("\n", _host.Logs);
        Assert.That(logs, Does.Contain("TOTP accepted for alice"));
        Assert.That(logs, Does.Not.Contain(code).And.Not.Contain("918273").And.Not.Contain(secret));
    }

    private static AuthenticateParams Otp(string user, string code, string? session = null) =>
        new() { Plugin = Instance, SessionId = session ?? "s-" + Guid.NewGuid().ToString("N")[..8], Username = user, MfaPassword = code };

    private Task<RunningHost> StartAsync() => RunningHost.StartAsync(
        PluginsDirectory,
        new Dictionary<string, string>
        {
            [Instance] = "[plugin]\ntype = totp\n",
            [StrictInstance] = "[plugin]\ntype = totp\n\n[lockout]\nfailures = 2\nwindow = 60\nduration = 60\n",
        },
        $"data_dir = {_data.Path}",
        s => s.AddSingleton<TimeProvider>(_time));

    /// <summary>Enrolls through the real CLI (the host keeps running) and returns the secret from the printed URI.</summary>
    private async Task<string> EnrollAsync(string user, string instance = Instance)
    {
        var result = await _host.RunCliAsync(["totp", "enroll", "--no-confirm", "--instance", instance, user]);
        Assert.That(result.ExitCode, Is.Zero, result.Error);
        return SecretInUri().Match(result.Output).Groups[1].Value;
    }

    [GeneratedRegex("secret=([A-Z2-7]+)&")]
    private static partial Regex SecretInUri();

    [GeneratedRegex("^  ([0-9]{8})$", RegexOptions.Multiline)]
    private static partial Regex ScratchCode();
}
