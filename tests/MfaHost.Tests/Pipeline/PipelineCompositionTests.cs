using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.DependencyInjection;

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
        var errors = new List<MfaConfigurationException>();
        using var host = HostComposition.Build(_settings, errors);
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
        var errors = new List<MfaConfigurationException>();
        using var host = HostComposition.Build(_settings, errors);
        host.Services.GetRequiredService<PipelineSettingsCatalog>();
        Assert.That(errors.Single().Message, Is.EqualTo($"{file}:2: [authentication_cache] reuse_limit: 'lots' is not a whole number"));
    }
}
