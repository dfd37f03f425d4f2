using MfaHost.Testing;

namespace MfaHost.Plugins.Totp.Tests.Cli;

/// <summary>
/// <c>check-config</c> and <c>plugins</c> (the real program, as processes) only look: on a fresh configuration they create
/// no data folder content (no <c>state.db</c>, no generated <c>seed.key</c>) and print no generated-key warning; after
/// <c>run</c> made the key they change nothing and say it once. <c>run</c> and <c>totp enroll</c> still generate the key,
/// announcing it once.
/// </summary>
public sealed class ValidationLeavesNoTraceTests
{
    private const string Advice = "move the key into the credential store";

    private TempDirectory _temp = null!;
    private string _config = null!;
    private string _data = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        _config = CliHarness.WriteConfiguration(_temp, "issuer = MfaHost\n");
        _data = Directory.CreateDirectory(_temp.Combine("config", "data")).FullName;
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    private string KeyFile => Path.Combine(_data, "plugins", "totp", "seed.key");

    private static int Count(string text, string part) => text.Split('\n').Count(l => l.Contains(part, StringComparison.Ordinal));

    private Dictionary<string, string> DataFiles() =>
        Directory.EnumerateFileSystemEntries(_data, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(_data, p), p => File.Exists(p) ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(p))) : "dir");

    [Test]
    public async Task Check_config_and_plugins_on_an_empty_data_folder_leave_it_empty_and_warn_of_nothing()
    {
        var check = await HostProcess.RunProgramAsync(["check-config", "--config", _config]);
        var plugins = await HostProcess.RunProgramAsync(["plugins", "--config", _config]);

        Assert.Multiple(() =>
        {
            Assert.That(check.ExitCode, Is.Zero, check.Error);
            Assert.That(plugins.ExitCode, Is.Zero, plugins.Error);
            Assert.That(DataFiles(), Is.Empty, "the data folder stays empty");
            Assert.That(check.Error + plugins.Error, Does.Not.Contain("seed key generated").And.Not.Contain(Advice));
        });
    }

    [Test]
    public async Task After_enroll_made_the_key_check_config_changes_nothing_and_gives_the_advice_once()
    {
        var enroll = await HostProcess.RunProgramAsync(["totp", "enroll", "alice", "--config", _config]);
        Assume.That(enroll.ExitCode, Is.Zero, enroll.Error);
        var before = DataFiles();

        var check = await HostProcess.RunProgramAsync(["check-config", "--config", _config]);

        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(KeyFile), Is.True, "enroll generates the key, as before");
            Assert.That(Count(enroll.Output + enroll.Error, "seed key generated"), Is.EqualTo(1), "enroll announces the new key once:\n" + enroll.Error);
            Assert.That(Count(enroll.Output + enroll.Error, Advice), Is.EqualTo(1), "and gives the advice once:\n" + enroll.Error);
            Assert.That(check.ExitCode, Is.Zero, check.Error);
            Assert.That(DataFiles(), Is.EqualTo(before), "check-config wrote nothing");
            Assert.That(Count(check.Error, Advice), Is.EqualTo(1), check.Error);
        });
    }

    [Test]
    public async Task Check_config_still_refuses_a_key_that_does_not_open_the_enrollments_and_writes_nothing()
    {
        var enroll = await HostProcess.RunProgramAsync(["totp", "enroll", "alice", "--config", _config]);
        Assume.That(enroll.ExitCode, Is.Zero, enroll.Error);
        File.WriteAllText(KeyFile, Convert.ToBase64String(new byte[32]) + "\n");
        var before = DataFiles();

        var check = await HostProcess.RunProgramAsync(["check-config", "--config", _config]);

        Assert.Multiple(() =>
        {
            Assert.That(check.ExitCode, Is.EqualTo(2));
            Assert.That(check.Error, Does.Contain("does not open the enrollments"));
            Assert.That(DataFiles(), Is.EqualTo(before));
        });
    }

    [Test]
    public async Task Run_generates_the_key_and_says_so_once()
    {
        await using var host = await HostProcess.StartAsync(
            Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins"),
            new Dictionary<string, string> { ["totp"] = "[plugin]\ntype = totp\n[totp]\nissuer = MfaHost\n" });
        var key = Path.Combine(host.Directory, "config", "data", "plugins", "totp", "seed.key");
        var lines = string.Join("\n", host.Output.Lines);

        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(key), Is.True, lines);
            Assert.That(Count(lines, "seed key generated"), Is.EqualTo(1), lines);
            Assert.That(Count(lines, Advice), Is.EqualTo(1), lines);
        });
    }
}
