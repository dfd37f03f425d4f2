using MfaHost.Testing;
using MfaHost.Tests.Cli;

namespace MfaHost.Tests.Configuration;

/// <summary>An option or section neither the host nor the plugin declares is a configuration error, found before anything is constructed.</summary>
public class StrictInstanceFileTests
{
    private TempDirectory _temp = null!;
    private string _config = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        var built = Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins", "test");
        foreach (var file in Directory.GetFiles(built))
        {
            Directory.CreateDirectory(_temp.Combine("plugins", "test"));
            File.Copy(file, _temp.Combine("plugins", "test", Path.GetFileName(file)));
        }

        _config = _temp.Write("config/mfahost.ini", $"[host]\nsocket = run/test.sock\nplugins_dir = {_temp.Combine("plugins")}\n");
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    private string Instance(string ini) => _temp.Write("config/plugins/scripted.ini", "[plugin]\ntype = test\n" + ini);

    [Test]
    public async Task Every_declared_option_and_the_hosts_own_sections_pass()
    {
        Instance("[test]\noutcome = accept\ndelay = 0\n[whitelist]\nusers = svc\n[usermapping]\nAlice = alice@example.com\n[question_1]\nkey = ticket\nprompt = Ticket:\n[circuit]\nfailures = 3\n[tls]\nca_file =\n");
        var (code, _, error) = await CliHarness.RunAsync("check-config", "--config", _config);
        Assert.That(code, Is.Zero, error);
    }

    [TestCase("[test]\noutcom = accept\n", ":4: [test] outcom: unknown option; did you mean 'outcome'?")]
    [TestCase("[whitelist]\nuser = svc\n", ":4: [whitelist] user: unknown option; did you mean 'users'?")]
    [TestCase("[tset]\noutcome = accept\n", ":3: [tset]: unknown section; did you mean 'test'?")]
    [TestCase("[test]\nflavour = vanilla\n", ":4: [test] flavour: unknown option")]
    [TestCase("[question_1]\nkey = t\nprompt = T:\nechoes = no\n", ":6: [question_1] echoes: unknown option")]
    public async Task Check_config_names_file_line_and_the_closest_known_spelling_and_exits_2(string ini, string expected)
    {
        var file = Instance(ini);
        var (code, _, error) = await CliHarness.RunAsync("check-config", "--config", _config);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error, Does.Contain("error: " + file + expected));
        });
    }

    [Test]
    public async Task A_suggestion_is_only_made_for_a_plausible_misspelling()
    {
        var file = Instance("[test]\nflavour = vanilla\n");
        var (_, _, error) = await CliHarness.RunAsync("check-config", "--config", _config);
        Assert.That(error, Does.Contain(file + ":4: [test] flavour: unknown option").And.Not.Contain("did you mean"));
    }

    [Test]
    public async Task Run_refuses_to_start_and_plugins_lists_the_same_problem()
    {
        var file = Instance("[test]\noutcom = accept\n");
        var expected = file + ":4: [test] outcom: unknown option; did you mean 'outcome'?";
        var run = await CliHarness.RunAsync("--config", _config);
        var plugins = await CliHarness.RunAsync("plugins", "--config", _config);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.Error, Does.Contain(expected));
            Assert.That(plugins.ExitCode, Is.EqualTo(2));
            Assert.That(plugins.Error, Does.Contain(expected));
            Assert.That(File.Exists(_temp.Combine("config", "run", "test.sock")), Is.False, "the host never listened");
        });
    }
}

/// <summary><c>check-config</c> and <c>plugins</c> construct each plugin once, and none whose file the host refused.</summary>
public class ConstructedOnceTests
{
    [Test]
    public async Task Each_command_constructs_each_sound_instance_exactly_once_and_a_refused_one_never()
    {
        using var temp = new TempDirectory();
        Reload.ReloadHarness.CopyBuild(1, temp.Combine("plugins", "reloadable"));

        var log = temp.Combine("constructed.txt");
        var config = temp.Write("config/mfahost.ini", $"[host]\nsocket = run/test.sock\nplugins_dir = {temp.Combine("plugins")}\n");
        temp.Write("config/plugins/good.ini", $"[plugin]\ntype = reloadable\n[reloadable]\nconstruct_log = {log}\n");

        var check = await CliHarness.RunAsync("check-config", "--config", config);
        var afterCheck = File.ReadAllLines(log);
        var plugins = await CliHarness.RunAsync("plugins", "--config", config);
        var afterPlugins = File.ReadAllLines(log);
        temp.Write("config/plugins/good.ini", $"[plugin]\ntype = reloadable\n[reloadable]\nconstruct_log = {log}\nlabl = x\n");
        var refused = await CliHarness.RunAsync("check-config", "--config", config);

        Assert.Multiple(() =>
        {
            Assert.That(check.ExitCode, Is.Zero, check.Error);
            Assert.That(afterCheck, Is.EqualTo(new[] { "good constructed" }));
            Assert.That(plugins.ExitCode, Is.Zero, plugins.Error);
            Assert.That(afterPlugins, Has.Length.EqualTo(2));
            Assert.That(refused.ExitCode, Is.EqualTo(2));
            Assert.That(File.ReadAllLines(log), Has.Length.EqualTo(2), "an instance whose file was refused is not constructed");
        });
    }
}
