using MfaHost.Testing;

namespace MfaHost.Tests.Cli;

public class ConfigCommandsTests
{
    private TempDirectory _temp = null!;
    private string _config = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        var built = Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");
        foreach (var name in new[] { "alpha", "beta", "throwing" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(built, name)))
            {
                Directory.CreateDirectory(_temp.Combine("plugins", name));
                File.Copy(file, _temp.Combine("plugins", name, Path.GetFileName(file)));
            }
        }

        _config = _temp.Write("config/mfahost.ini", $"[host]\nsocket = run/test.sock\nplugins_dir = {_temp.Combine("plugins")}\n");
        _temp.Write("config/plugins/alpha.ini", "[plugin]\ntype = alpha\n");
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task Check_config_passes_on_a_good_configuration()
    {
        var (code, output, error) = await CliHarness.RunAsync("check-config", "--config", _config);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain(": ok").And.Contain("alpha"));
    }

    [Test]
    public async Task Check_config_lists_every_problem_with_file_line_section_option_and_value_and_exits_2()
    {
        _temp.Write("config/mfahost.ini", "[host]\nsocket_mode = 0999\nmax_frame_bytes = lots\nrequest_timeout = -1\n\n[logging]\nlog_level = chatty\n");
        var (code, _, error) = await CliHarness.RunAsync("check-config", "--config", _config);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error, Does.Contain($"{_config}:2: [host] socket_mode: '0999'"));
            Assert.That(error, Does.Contain($"{_config}:3: [host] max_frame_bytes: 'lots' is not a whole number"));
            Assert.That(error, Does.Contain($"{_config}:4: [host] request_timeout: '-1' is out of range"));
            Assert.That(error, Does.Contain($"{_config}:7: [logging] log_level: 'chatty' is not a log level"));
            Assert.That(error, Does.Contain("4 problem(s)"));
        });
    }

    [Test]
    public async Task Check_config_reports_a_broken_instance_file_and_a_broken_plugin_folder()
    {
        _temp.Write("config/plugins/beta.ini", "[plugin]\ntype = beta\nenabled = maybe\n");
        _temp.Write("config/plugins/throwing.ini", "[plugin]\ntype = throwing\n");
        var (code, _, error) = await CliHarness.RunAsync("check-config", "--config", _config);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error, Does.Contain(_temp.Combine("config", "plugins", "beta.ini") + ":3: [plugin] enabled: 'maybe' is not a boolean"));
            Assert.That(error, Does.Contain("plugin instance 'throwing'").And.Contain("threw InvalidOperationException"));
        });
    }

    [Test]
    public async Task A_missing_host_file_is_a_configuration_error()
    {
        var (code, _, error) = await CliHarness.RunAsync("check-config", "--config", _temp.Combine("nope.ini"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("nope.ini: [-]: file not found"));
    }

    [Test]
    public async Task Plugins_prints_a_table_with_status_and_error()
    {
        _temp.Write("config/plugins/throwing.ini", "[plugin]\ntype = throwing\n");
        var (code, output, _) = await CliHarness.RunAsync("plugins", "--config", _config);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1), "a failed instance makes the check fail");
            Assert.That(lines[0], Does.StartWith("INSTANCE").And.Contain("TYPE").And.Contain("VERSION").And.Contain("CAPABILITIES").And.Contain("STATUS"));
            Assert.That(lines.Single(l => l.StartsWith("alpha", StringComparison.Ordinal)), Does.Contain("1.5.0").And.Contain("otp").And.EndsWith("loaded"));
            Assert.That(lines.Single(l => l.StartsWith("throwing", StringComparison.Ordinal)), Does.Contain("failed: the constructor"));
        });
    }

    [Test]
    public async Task Running_the_host_on_a_bad_configuration_exits_2_before_starting()
    {
        _temp.Write("config/plugins/alpha.ini", "[plugin]\ntype = alpha\nenabled = perhaps\n");
        var (code, _, error) = await CliHarness.RunAsync("--config", _config);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("alpha.ini:3: [plugin] enabled: 'perhaps'"));
    }

    [Test]
    public async Task A_usage_error_exits_2()
    {
        var (code, _, error) = await CliHarness.RunAsync("check-config", "--no-such-option");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--no-such-option"));
    }

    [Test]
    public async Task Help_is_available_on_every_command()
    {
        foreach (var command in new[] { Array.Empty<string>(), ["check-config"], ["plugins"] })
        {
            var (code, output, _) = await CliHarness.RunAsync([.. command, "--help"]);
            Assert.That(code, Is.Zero);
            Assert.That(output, Does.Contain("--config"));
        }
    }
}
