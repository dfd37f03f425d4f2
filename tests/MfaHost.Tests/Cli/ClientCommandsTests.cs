using MfaHost.Testing;
using MfaHost.Tests.Protocol;

namespace MfaHost.Tests.Cli;

/// <summary><c>mfahost auth</c> and <c>mfahost health</c> against a running host.</summary>
public class ClientCommandsTests
{
    private static Task<RunningHost> StartAsync() => TestPluginHost.StartAsync(new Dictionary<string, string>
    {
        ["noop"] = TestPluginHost.Noop,
        ["denying"] = TestPluginHost.Scripted("outcome = deny"),
        ["asking"] = TestPluginHost.Scripted("outcome = needinfo\notp = 424242"),
    });

    [Test]
    public async Task Auth_exits_0_on_accept_and_prints_the_verdict()
    {
        await using var host = await StartAsync();

        var run = await host.RunCliAsync(["auth", "--plugin", "noop", "--user", "alice"]);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("verdict: ACCEPT").And.Contain("reason: accepted").And.Contain("mfa_identity: alice"));
    }

    [Test]
    public async Task Auth_exits_1_on_deny()
    {
        await using var host = await StartAsync();

        var run = await host.RunCliAsync(["auth", "--plugin", "denying", "--user", "alice", "--otp", "123456"]);

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Output, Does.Contain("verdict: DENY").And.Contain("reason: authentication_failed"));
        Assert.That(run.Output + run.Error, Does.Not.Contain("123456"));
    }

    [TestCase("424242", 0, "verdict: ACCEPT")]
    [TestCase("111111", 1, "verdict: DENY")]
    public async Task Auth_asks_the_hosts_question_and_sends_the_answer(string answer, int exitCode, string verdict)
    {
        await using var host = await StartAsync();

        var run = await host.RunCliAsync(["auth", "--plugin", "asking", "--user", "alice"], input: answer + "\n");

        Assert.That(run.ExitCode, Is.EqualTo(exitCode), run.Error);
        Assert.That(run.Output, Does.Contain("Test code: ").And.Contain(verdict));
        Assert.That(run.Output, Does.Not.Contain(answer));
    }

    [Test]
    public async Task Auth_without_an_answer_to_a_question_exits_1()
    {
        await using var host = await StartAsync();

        var run = await host.RunCliAsync(["auth", "--plugin", "asking", "--user", "alice"]);

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Error, Does.Contain("no answer"));
    }

    [Test]
    public async Task Auth_for_an_unknown_plugin_exits_2_with_the_reason()
    {
        await using var host = await StartAsync();

        var run = await host.RunCliAsync(["auth", "--plugin", "ghost", "--user", "alice"]);

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("ghost").And.Contain("unknown_plugin"));
    }

    [Test]
    public async Task Auth_without_a_user_is_a_usage_error()
    {
        await using var host = await StartAsync();

        var run = await host.RunCliAsync(["auth", "--plugin", "noop"]);

        Assert.That(run.ExitCode, Is.EqualTo(2));
    }

    [Test]
    public async Task Auth_and_health_exit_1_naming_the_socket_when_no_host_listens()
    {
        using var folder = new TempDirectory();
        var socket = folder.Combine("nobody.sock");
        await using var host = await StartAsync();

        var auth = await host.RunCliAsync(["auth", "--plugin", "noop", "--user", "alice", "--socket", socket]);
        var health = await host.RunCliAsync(["health", "--socket", socket]);

        Assert.Multiple(() =>
        {
            Assert.That(auth.ExitCode, Is.EqualTo(1));
            Assert.That(auth.Error, Does.Contain("not reachable at " + socket));
            Assert.That(health.ExitCode, Is.EqualTo(1));
            Assert.That(health.Error, Does.Contain("not reachable at " + socket));
        });
    }

    [Test]
    public async Task Health_exits_0_and_prints_the_hosts_health()
    {
        await using var host = await StartAsync();

        var run = await host.RunCliAsync(["health"]);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("status: ok").And.Contain("plugins_loaded: 3").And.Contain("in_flight: 0"));
    }

    [Test]
    public async Task Auth_reads_the_primary_password_from_standard_input_and_never_prints_it()
    {
        await using var host = await StartAsync();

        var run = await host.RunCliAsync(["auth", "--plugin", "noop", "--user", "alice", "--password-stdin"], input: "Pa55-word-991\n");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output + run.Error + string.Join("\n", host.Logs), Does.Not.Contain("Pa55-word-991"));
    }
}
