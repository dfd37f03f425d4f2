using System.Text.RegularExpressions;
using MfaHost.Client;
using MfaHost.Testing;
using MfaHost.Tests.Cli;
using MfaHost.Tests.Reload;

namespace MfaHost.Tests.Configuration;

/// <summary>
/// <c>mfahost.ini</c> is as strict as an instance file: a section or option the host does not read is a configuration
/// error with file, line and the closest spelling, from <c>check-config</c>, at start and on reload.
/// </summary>
public partial class StrictHostFileTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    private string HostFile(string extra) =>
        _temp.Write("config/mfahost.ini", $"[host]\nsocket = run/test.sock\nplugins_dir = {_temp.Combine("plugins")}\n{extra}");

    [TestCase("soket_path = x\n", ":4: [host] soket_path: unknown option")]
    [TestCase("sockt = run/x.sock\n", ":4: [host] sockt: unknown option; did you mean 'socket'?")]
    [TestCase("[logging]\nloglevel = debug\n", ":5: [logging] loglevel: unknown option; did you mean 'log_level'?")]
    [TestCase("[acess]\ngateway_uids = 0\n", ":4: [acess]: unknown section; did you mean 'access'?")]
    [TestCase("[access]\ngateway_uid = 0\n", ":5: [access] gateway_uid: unknown option; did you mean 'gateway_uids'?")]
    [TestCase("[audit]\nqueu = 100\n", ":5: [audit] queu: unknown option; did you mean 'queue'?")]
    [TestCase("[whitelist]\nusers = svc\n", ":4: [whitelist]: unknown section")]
    [TestCase("[metrics]\nflavour = vanilla\n", ":5: [metrics] flavour: unknown option")]
    public async Task Check_config_names_file_line_and_the_closest_known_spelling_and_exits_2(string extra, string expected)
    {
        var file = HostFile(extra);
        var (code, _, error) = await CliHarness.RunAsync("check-config", "--config", file);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error, Does.Contain("error: " + file + expected));
        });
    }

    [Test]
    public async Task Every_option_the_shipped_host_file_documents_is_known()
    {
        // Commented-out options too: uncommenting any of them must not be an error.
        var shipped = File.ReadAllText(Path.Combine(HostBuildOutput.RepositoryRoot, "config", "mfahost.ini"));
        var uncommented = OptionLine().Replace(shipped, "$1 = $2")
            .Replace("connection_string = $", "connection_string = Host=localhost")
            .Replace("key = $", "key = " + new string('k', 40));
        var file = _temp.Write("config/mfahost.ini", uncommented);
        _temp.Write("config/plugins/.keep", string.Empty);

        var (_, output, error) = await CliHarness.RunAsync("check-config", "--config", file);
        Assert.That(error, Does.Not.Contain("unknown"), output + error);
        Assert.That(OptionLine().Matches(shipped), Has.Count.GreaterThan(10), "the pattern finds the commented options");
    }

    [Test]
    public async Task Access_accepts_its_per_uid_applid_lists()
    {
        var file = HostFile("[access]\nticket_uids = 1001\napplids_1001 = CICSPROD\n");
        var (code, _, error) = await CliHarness.RunAsync("check-config", "--config", file);
        Assert.That(code, Is.Zero, error);
    }

    [Test]
    public async Task The_host_refuses_to_start_on_an_unknown_option_and_never_listens()
    {
        var file = HostFile("soket = run/other.sock\n");
        var run = await HostProcess.RunProgramAsync(["--config", file]);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.Error, Does.Contain(file + ":4: [host] soket: unknown option; did you mean 'socket'?"));
            Assert.That(File.Exists(_temp.Combine("config", "run", "test.sock")), Is.False);
        });
    }

    [Test]
    public async Task A_reload_with_an_unknown_option_is_refused_and_the_old_generation_keeps_serving()
    {
        await using var harness = await ReloadHarness.StartAsync(new Dictionary<string, string> { ["a"] = "one" });
        var hostFile = Path.Combine(harness.Host.Directory, "config", "mfahost.ini");
        File.AppendAllText(hostFile, "\n[host]\ndrain_timout = 5\n");
        harness.WriteInstance("a", ReloadHarness.Instance("two"));

        var result = await harness.ReloadAsync();
        var cli = await harness.Host.RunCliAsync(["reload", "--socket", harness.Host.SocketPath]);
        await using var client = await MfaHostClient.ConnectAsync(harness.Host.SocketPath);
        var answer = await client.AuthenticateAsync(ReloadHarness.Otp("a", "s1"));

        Assert.Multiple(() =>
        {
            Assert.That(result.Applied, Is.False);
            Assert.That(result.Problems, Has.Some.Contains("[host] drain_timout: unknown option; did you mean 'drain_timeout'?"));
            Assert.That(cli.ExitCode, Is.EqualTo(2));
            Assert.That(cli.Error, Does.Contain("drain_timout: unknown option"));
            Assert.That(answer.Message, Is.EqualTo("build 1 one otp"), "generation 1 keeps serving");
        });
    }

    [GeneratedRegex(@"^;([a-z_]+) = ?(.*)$", RegexOptions.Multiline)]
    private static partial Regex OptionLine();
}
