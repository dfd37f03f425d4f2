using MfaHost.Testing;

namespace MfaHost.Tests.Cli;

/// <summary>The configuration and plugins a fresh build ships (what the README's first command runs) check out.</summary>
public class ShippedConfigurationTests
{
    private static string HostOutput() => HostBuildOutput.Directory;

    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    // A copy of the shipped config/ whose plugins_dir names the host's build output: run in this test
    // process, the default (plugins/ next to the program) would be the test's folder.
    private string ShippedConfigCopy()
    {
        var shipped = Path.Combine(HostOutput(), "config");
        Assert.That(File.Exists(Path.Combine(shipped, "mfahost.ini")), Is.True, $"the host build should ship {shipped}/mfahost.ini");
        foreach (var file in Directory.GetFiles(shipped, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(shipped, file);
            if (!relative.StartsWith("data", StringComparison.Ordinal) && !relative.StartsWith("run", StringComparison.Ordinal))
            {
                _temp.Write(Path.Combine("config", relative), File.ReadAllText(file));
            }
        }

        var config = _temp.Combine("config", "mfahost.ini");
        File.AppendAllText(config, $"\n[host]\nplugins_dir = {Path.Combine(HostOutput(), "plugins")}\n");
        return config;
    }

    [Test]
    public async Task The_shipped_configuration_passes_check_config_with_the_built_in_plugins()
    {
        var config = ShippedConfigCopy();

        var (code, output, error) = await CliHarness.RunAsync("check-config", "--config", config);

        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("totp"));
    }

    [Test]
    public async Task The_built_in_plugins_all_load()
    {
        var config = ShippedConfigCopy();
        var (code, output, error) = await CliHarness.RunAsync("plugins", "--config", config);
        Assert.That(code, Is.Zero, error + output);
        foreach (var folder in new[] { "totp", "acme", "hmc", "jazz" })
        {
            Assert.That(Directory.Exists(Path.Combine(HostOutput(), "plugins", folder)), Is.True, $"plugins/{folder} is laid out by the build");
        }
    }
}
