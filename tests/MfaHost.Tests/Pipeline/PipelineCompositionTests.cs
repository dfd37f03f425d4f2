using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Pipeline;
using MfaHost.Pipeline.Steps;
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
    public async Task Adding_a_step_is_one_type_and_one_entry_in_the_order()
    {
        _temp.Write("config/plugins/alpha.ini", "[whitelist]\nusers = svc\n\n[usermapping]\nalice = a.smith@corp.example\n");
        var snapshot = ConfigurationSnapshotLoader.Load(_settings, [], TimeProvider.System);

        // The one line: the host's own order with the new step right after the whitelist.
        var order = AuthenticationSteps.InOrder.Steps.ToList();
        order.Insert(order.IndexOf(typeof(WhitelistStep)) + 1, typeof(GateStep));

        using var host = HostComposition.Build(snapshot, services => services.AddSingleton(new AuthenticationStepOrder(order)));
        Assert.That(host.Services.GetRequiredService<ConfigurationReloader>().Activate(snapshot), Is.Empty);
        var pipeline = host.Services.GetRequiredService<IAuthenticationPipeline>();
        var alice = await pipeline.AuthenticateAsync(new AuthenticationRequest { Plugin = "alpha", SessionId = "s1", Username = "alice", MfaPassword = "1" }, CancellationToken.None);
        var svc = await pipeline.AuthenticateAsync(new AuthenticationRequest { Plugin = "alpha", SessionId = "s2", Username = "svc" }, CancellationToken.None);
        var mallory = await pipeline.AuthenticateAsync(new AuthenticationRequest { Plugin = "alpha", SessionId = "s3", Username = "mallory", MfaPassword = "1" }, CancellationToken.None);
        Assert.Multiple(() =>
        {
            // Below it, the plugin: its ACCEPT comes back through the step, which saw the mapped identity (mapping is above it).
            Assert.That(alice.Verdict.Message, Is.EqualTo("library 1"));
            Assert.That(alice.Verdict.Metadata["gate"], Is.EqualTo("a.smith@corp.example accepted"));

            // Above it, the session token: it still wraps the final ACCEPT.
            Assert.That(alice.SessionToken, Does.StartWith("mfas_"));

            // Above it, the whitelist: it answers first, so the step never sees svc.
            Assert.That(svc.Verdict.Reason, Is.EqualTo(MfaReasons.Whitelisted));
            Assert.That(svc.Verdict.Metadata, Does.Not.ContainKey("gate"));

            // Deciding itself: the plugin below is not asked, and no session token is issued for a DENY.
            Assert.That((mallory.Verdict.IsDeny, mallory.Verdict.Reason, mallory.Verdict.Message), Is.EqualTo((true, MfaReasons.AuthenticationFailed, "closed to mallory by mfahost.ini")));
            Assert.That(mallory.SessionToken, Is.Null);
        });
    }

    /// <summary>The new step: refuses mallory, and marks every ACCEPT from the steps after it. Its constructor takes a host service.</summary>
    private sealed class GateStep(HostSettings hostSettings) : IAuthenticationStep
    {
        public async ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
        {
            if (login.Username == "mallory")
            {
                return login.Outcome(MfaVerdict.Deny(MfaReasons.AuthenticationFailed, $"closed to mallory by {Path.GetFileName(hostSettings.ConfigFile)}"));
            }

            var outcome = await next(login, cancellationToken);
            if (!outcome.Verdict.IsAccept)
            {
                return outcome;
            }

            var metadata = new Dictionary<string, string>(outcome.Verdict.Metadata) { ["gate"] = $"{login.MfaIdentity} {outcome.Verdict.Reason}" };
            return outcome with { Verdict = outcome.Verdict with { Metadata = metadata } };
        }
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
