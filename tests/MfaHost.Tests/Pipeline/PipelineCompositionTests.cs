using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using MfaHost.Reload;
using MfaHost.Testing;
using MfaHost.Tests.Cli;
using Microsoft.Extensions.DependencyInjection;
using MfaHost.Plugins;

namespace MfaHost.Tests.Pipeline;

/// <summary>The pipeline as the host composes it, over a real plugin folder.</summary>
public class PipelineCompositionTests
{
    private TempDirectory _temp = null!;
    private HostSettings _settings = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        var alpha = Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins", "alpha");
        foreach (var file in Directory.GetFiles(alpha))
        {
            Directory.CreateDirectory(_temp.Combine("plugins", "alpha"));
            File.Copy(file, _temp.Combine("plugins", "alpha", Path.GetFileName(file)));
        }

        _settings = new HostSettings
        {
            ConfigFile = _temp.Combine("config", "mfahost.ini"),
            ConfigDirectory = _temp.Combine("config"),
            SocketPath = _temp.Combine("mfahost.sock"),
            PluginsDirectory = _temp.Combine("plugins"),
            PluginConfigDirectory = _temp.Combine("config", "plugins"),
            DataDirectory = _temp.Combine("data"),
        };
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task The_host_serves_authenticate_through_the_pipeline_with_the_instance_settings()
    {
        _temp.Write("config/plugins/alpha.ini", "[whitelist]\nusers = svc\n");
        var snapshot = ConfigurationSnapshotLoader.Load(_settings, [], TimeProvider.System);
        using var host = HostComposition.Build(snapshot);
        var errors = host.Services.GetRequiredService<ConfigurationReloader>().Activate(snapshot);
        var pipeline = host.Services.GetRequiredService<IAuthenticationPipeline>();
        var byPlugin = await pipeline.AuthenticateAsync(new AuthenticationRequest { Plugin = "alpha", SessionId = "s1", Username = "alice", MfaPassword = "1" }, CancellationToken.None);
        var whitelisted = await pipeline.AuthenticateAsync(new AuthenticationRequest { Plugin = "alpha", SessionId = "s2", Username = "svc" }, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty);
            Assert.That(byPlugin.Verdict.Message, Is.EqualTo("library 1"));
            Assert.That(whitelisted.Verdict.Reason, Is.EqualTo(MfaReasons.Whitelisted));
        });
    }

    [Test]
    public void A_bad_pipeline_value_is_a_configuration_error_at_start_up()
    {
        var file = _temp.Write("config/plugins/alpha.ini", "[authentication_cache]\nreuse_limit = lots\n");
        var snapshot = ConfigurationSnapshotLoader.Load(_settings, [], TimeProvider.System);
        snapshot.ReleaseUnusedPackages();
        Assert.That(snapshot.Errors.Single().Message, Is.EqualTo($"{file}:2: [authentication_cache] reuse_limit: 'lots' is not a whole number"));
    }

    [Test]
    public async Task Check_config_reports_a_bad_pipeline_value_and_exits_2()
    {
        _temp.Write("config/mfahost.ini", $"[host]\nsocket = run/test.sock\nplugins_dir = {_temp.Combine("plugins")}\n");
        var file = _temp.Write("config/plugins/alpha.ini", "[plugin]\ntype = alpha\n\n[question_1]\nprompt = Ticket:\n");
        var (code, _, error) = await CliHarness.RunAsync("check-config", "--config", _temp.Combine("config", "mfahost.ini"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error, Does.Contain($"{file}:4: [question_1] key: is required but missing or empty"));
        });
    }
}
