using System.Runtime.CompilerServices;
using MfaHost.Client;
using MfaHost.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Tests.Reload;

/// <summary>Reload: per-instance diff, atomic swap, draining, refusal of a broken configuration, unloading.</summary>
public class ReloadTests
{
    private ReloadHarness _harness = null!;
    private MfaHostClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _harness = await ReloadHarness.StartAsync(new Dictionary<string, string> { ["a"] = "one", ["b"] = "bee" });
        _client = await _harness.Host.CreateClientAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _client.DisposeAsync();
        await _harness.DisposeAsync();
    }

    private async Task<string> OtpMessageAsync(string instance, string session = "s") =>
        (await _client.AuthenticateAsync(ReloadHarness.Otp(instance, session))).Message;

    [Test]
    public async Task A_changed_instance_answers_with_its_new_settings_right_after_the_reload_and_the_others_are_kept()
    {
        Assert.That(await OtpMessageAsync("a"), Is.EqualTo("build 1 one otp"));
        var keptB = _harness.Host.Services.GetRequiredService<ActiveCatalog>().Current.TryGet("b", out var before) ? before : null;
        _harness.WriteInstance("a", ReloadHarness.Instance("two"));

        var result = await _harness.ReloadAsync();

        _harness.Host.Services.GetRequiredService<ActiveCatalog>().Current.TryGet("b", out var after);
        var health = await _client.HealthAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(result.Applied, Is.True, string.Join("\n", result.Problems));
            Assert.That(result.Changed, Is.EqualTo(new[] { "a" }));
            Assert.That(result.Unchanged, Is.EqualTo(new[] { "b" }));
            Assert.That(result.Generation, Is.EqualTo(2));
            Assert.That(await OtpMessageAsync("a"), Is.EqualTo("build 1 two otp"));
            Assert.That(after, Is.SameAs(keptB), "an unchanged instance is kept as it is");
            Assert.That(health.ConfigGeneration, Is.EqualTo(2));
            Assert.That(health.ConfigLoadedAt, Is.EqualTo(result.LoadedAt));
            Assert.That(_harness.Host.Logs, Has.Some.Contains("Configuration generation 2 loaded at"));
        });
    }

    [Test]
    public async Task A_plugin_folder_replaced_by_a_new_build_serves_the_new_build_after_the_reload()
    {
        Assert.That(await OtpMessageAsync("a"), Is.EqualTo("build 1 one otp"));
        _harness.ReplaceBuild(2);
        Assert.That(await OtpMessageAsync("a"), Is.EqualTo("build 1 one otp"), "the loaded build serves until the reload");

        var result = await _harness.ReloadAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(result.Changed, Is.EquivalentTo(new[] { "a", "b" }));
            Assert.That(await OtpMessageAsync("a"), Is.EqualTo("build 2 one otp"));
            Assert.That(await OtpMessageAsync("b"), Is.EqualTo("build 2 bee otp"));
        });
    }

    [Test]
    public async Task A_broken_configuration_is_refused_with_every_problem_and_the_old_one_keeps_serving()
    {
        var file = _harness.InstanceFile("a");
        _harness.WriteInstance("a", "[plugin]\ntype = reloadable\n[reloadable]\nlabl = two\n");
        _harness.WriteInstance("c", "[plugin]\ntype = nonesuch\n");

        var result = await _harness.ReloadAsync();
        var cli = await _harness.Host.RunCliAsync(["reload", "--socket", _harness.Host.SocketPath]);

        Assert.Multiple(async () =>
        {
            Assert.That(result.Applied, Is.False);
            Assert.That(result.Generation, Is.EqualTo(1));
            Assert.That(result.Problems, Has.Some.EqualTo($"{file}:4: [reloadable] labl: unknown option; did you mean 'label'?"));
            Assert.That(result.Problems, Has.Some.Contains("provides type 'nonesuch'"));
            Assert.That(await OtpMessageAsync("a"), Is.EqualTo("build 1 one otp"));
            Assert.That(cli.ExitCode, Is.EqualTo(2));
            Assert.That(cli.Error, Does.Contain($"error: {file}:4: [reloadable] labl: unknown option; did you mean 'label'?"));
            Assert.That(cli.Error, Does.Contain("configuration generation 1"));
            Assert.That(_harness.Host.Logs, Has.Some.Contains("Reload refused, generation 1 keeps serving"));
        });
    }

    [Test]
    public async Task Added_instances_serve_and_removed_ones_are_gone_after_the_reload()
    {
        _harness.WriteInstance("c", ReloadHarness.Instance("sea"));
        _harness.RemoveInstance("b");

        var result = await _harness.ReloadAsync();
        var cli = await _harness.Host.RunCliAsync(["reload", "--socket", _harness.Host.SocketPath]);

        Assert.Multiple(async () =>
        {
            Assert.That(result.Added, Is.EqualTo(new[] { "c" }));
            Assert.That(result.Removed, Is.EqualTo(new[] { "b" }));
            Assert.That(await OtpMessageAsync("c"), Is.EqualTo("build 1 sea otp"));
            var gone = Assert.ThrowsAsync<MfaHostRpcException>(() => _client.AuthenticateAsync(ReloadHarness.Otp("b", "s2")));
            Assert.That(gone!.Reason, Is.EqualTo("unknown_plugin"));
            Assert.That(cli.ExitCode, Is.Zero, cli.Error);
            Assert.That(cli.Output, Does.Contain("configuration generation 3"));
        });
    }

    [Test]
    public async Task A_push_in_flight_and_an_open_conversation_finish_on_the_instance_that_started_them()
    {
        _harness.WriteInstance("a", ReloadHarness.Instance("one", pushDelay: 1));
        await _harness.ReloadAsync();
        var push = _client.AuthenticateAsync(ReloadHarness.Push("a", "push-1"));
        var asked = await _client.AuthenticateAsync(ReloadHarness.Otp("a", "conv-1", "more"));
        Assert.That(asked.IsNeedInfo, Is.True);

        _harness.WriteInstance("a", ReloadHarness.Instance("two"));
        await _harness.ReloadAsync();

        var answered = await _client.AuthenticateAsync(ReloadHarness.Otp("a", "conv-1", "more").WithAnswer("654321"));
        Assert.Multiple(async () =>
        {
            Assert.That(await OtpMessageAsync("a"), Is.EqualTo("build 1 two otp"), "new requests go to the new instance");
            Assert.That((await push).Message, Is.EqualTo("build 1 one push"));
            Assert.That(answered.Message, Is.EqualTo("build 1 one second code"));
        });
    }

    [Test]
    public async Task Session_ended_still_reaches_a_replaced_instance_while_it_drains()
    {
        await _client.AuthenticateAsync(ReloadHarness.Otp("a", "rdp-1"));
        _harness.WriteInstance("a", ReloadHarness.Instance("two"));
        await _harness.ReloadAsync();

        await _client.SessionEndedAsync("rdp-1");

        Assert.That(_harness.Host.Logs, Has.Some.Contains("reloadable a (build 1 one): session rdp-1 ended"));
    }

    [Test]
    public async Task Past_drain_timeout_what_still_runs_on_a_replaced_instance_is_answered_deny_shutting_down()
    {
        _harness.WriteInstance("a", ReloadHarness.Instance("one", pushDelay: 60));
        await _harness.ReloadAsync();
        var push = _client.AuthenticateAsync(ReloadHarness.Push("a", "slow-1"));
        await WaitUntilAsync(() => _harness.Host.Services.GetRequiredService<ActiveCatalog>().Current.TryGet("a", out var a) && a.InFlight > 0);

        _harness.WriteInstance("a", ReloadHarness.Instance("two"));
        await _harness.ReloadAsync();

        var result = await push.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(result.IsDeny, Is.True, result.ToString());
            Assert.That(result.Reason, Is.EqualTo("shutting_down"));
            Assert.That(_harness.Host.Logs, Has.Some.Contains("after drain_timeout"));
        });
    }

    [Test]
    public async Task A_replaced_instance_is_disposed_and_its_load_context_collected()
    {
        Assert.That(await OtpMessageAsync("a"), Is.EqualTo("build 1 one otp"));
        await _client.SessionEndedAsync("s");
        var contexts = LoadContextsOfServingInstances();
        _harness.ReplaceBuild(2);
        await _harness.ReloadAsync();
        await _harness.Reloader.DrainsCompleted.WaitAsync(TimeSpan.FromSeconds(30));

        for (var i = 0; contexts.Any(c => c.IsAlive) && i < 50; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(20);
        }

        Assert.Multiple(() =>
        {
            Assert.That(contexts, Has.Count.EqualTo(1), "a and b share the folder's one context");
            Assert.That(contexts.All(c => !c.IsAlive), Is.True, "the old build's load context was not collected");
            Assert.That(_harness.Host.Logs, Has.Some.Contains("Plugin instance a (generation 1) drained and unloaded"));
        });
    }

    [Test]
    public async Task A_changed_host_option_that_cannot_change_live_is_reported_as_needing_a_restart()
    {
        var hostFile = File.ReadAllText(_harness.Host.ConfigPath);
        File.WriteAllText(_harness.Host.ConfigPath, hostFile.Replace("shutdown_timeout = 5", "shutdown_timeout = 6", StringComparison.Ordinal));

        var result = await _harness.ReloadAsync();
        var cli = await _harness.Host.RunCliAsync(["reload", "--socket", _harness.Host.SocketPath]);

        Assert.Multiple(() =>
        {
            Assert.That(result.Applied, Is.True);
            Assert.That(result.RestartRequired, Is.EqualTo(new[] { "[host] shutdown_timeout" }));
            Assert.That(cli.Output, Does.Contain("changed but applied only after a restart: [host] shutdown_timeout"));
        });
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private List<WeakReference> LoadContextsOfServingInstances() =>
        _harness.Host.Services.GetRequiredService<ActiveCatalog>().Current.Instances
            .Select(i => i.Package!.LoadContext).Distinct().Select(c => new WeakReference(c)).ToList();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.That(condition(), Is.True, "timed out waiting");
    }
}

/// <summary><c>[host] watch = yes</c>: changed files reload the host by themselves, once they settle.</summary>
public class WatchedReloadTests
{
    [Test]
    public async Task Changed_files_reload_once_after_they_settle()
    {
        await using var harness = await ReloadHarness.StartAsync(new Dictionary<string, string> { ["a"] = "one" }, "drain_timeout = 2\nwatch = yes");
        await using var client = await harness.Host.CreateClientAsync();

        // Several writes in a row (an editor, a copy of a build) make one reload.
        for (var i = 0; i < 5; i++)
        {
            harness.WriteInstance("a", ReloadHarness.Instance("two-" + i));
            await Task.Delay(100);
        }

        for (var i = 0; i < 200 && !harness.Host.Logs.Any(l => l.Contains("Configuration generation 2 loaded", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50);
        }

        await Task.Delay(MfaHost.Reload.ConfigurationWatcher.QuietPeriod * 2);
        Assert.Multiple(async () =>
        {
            Assert.That((await client.AuthenticateAsync(ReloadHarness.Otp("a", "s1"))).Message, Is.EqualTo("build 1 two-4 otp"));
            Assert.That((await client.HealthAsync()).ConfigGeneration, Is.EqualTo(2), "one reload for the burst of writes");
            Assert.That(harness.Host.Logs, Has.Some.Contains("Reloading the configuration (files changed)"));
        });
    }
}
