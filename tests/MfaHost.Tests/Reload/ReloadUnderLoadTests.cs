using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using MfaHost.Client;
using MfaHost.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Tests.Reload;

/// <summary>
/// Continuous logins (slow pushes, one-time passwords, NEEDINFO conversations) while the host reloads 20
/// times: the plugin folder replaced by another build, an instance changed, one added, one removed, a broken
/// configuration in between. No login may fail or go unanswered, each change is visible right after its
/// reload, and every replaced load context is collected. The long version is the benchmark
/// <c>ReloadUnderLoad</c> (tests/MfaHost.Benchmarks).
/// </summary>
public class ReloadUnderLoadTests
{
    private const int Reloads = 20;
    private const int Workers = 6;

    [Test]
    public async Task Twenty_reloads_under_continuous_logins_lose_no_login_and_leave_no_load_context_behind()
    {
        await using var harness = await ReloadHarness.StartAsync(new Dictionary<string, string> { ["otp"] = "L0", ["conv"] = "c" });
        // Every worker pushes for one user without pause: the push limit would (rightly) refuse that, so it is off here.
        harness.WriteInstance("push", ReloadHarness.Instance("p", pushDelay: 0.5) + "[push_limit]\nmax = 0\n");
        Assert.That((await harness.ReloadAsync()).Added, Is.EqualTo(new[] { "push" }));

        var failures = new ConcurrentQueue<string>();
        var answered = new int[1];
        var stopped = 0;
        var drivers = Enumerable.Range(0, Workers).Select(w => DriveAsync(harness, w, failures, () => Interlocked.Increment(ref answered[0]), () => Volatile.Read(ref stopped) == 1)).ToList();

        var oldContexts = new List<WeakReference>();
        var build = 1;
        string? extra = null;
        var contextsAfterStart = 0;
        for (var i = 1; i <= Reloads; i++)
        {
            oldContexts.AddRange(ServingContexts(harness));
            await using var probe = await harness.Host.CreateClientAsync();
            switch (i % 5)
            {
                case 0:
                    build = 3 - build;
                    harness.ReplaceBuild(build);
                    await ExpectAppliedAsync(harness);
                    Assert.That((await probe.AuthenticateAsync(ReloadHarness.Otp("otp", $"probe-{i}"))).Message, Does.StartWith($"build {build} "), $"reload {i}: the new build answers");
                    break;
                case 1:
                    harness.WriteInstance("otp", ReloadHarness.Instance($"L{i}"));
                    await ExpectAppliedAsync(harness);
                    Assert.That((await probe.AuthenticateAsync(ReloadHarness.Otp("otp", $"probe-{i}"))).Message, Is.EqualTo($"build {build} L{i} otp"), $"reload {i}: the changed instance answers");
                    break;
                case 2:
                    extra = $"extra{i}";
                    harness.WriteInstance(extra, ReloadHarness.Instance(extra));
                    await ExpectAppliedAsync(harness);
                    Assert.That((await probe.AuthenticateAsync(ReloadHarness.Otp(extra, $"probe-{i}"))).Message, Is.EqualTo($"build {build} {extra} otp"), $"reload {i}: the added instance answers");
                    break;
                case 3:
                    harness.RemoveInstance(extra!);
                    await ExpectAppliedAsync(harness);
                    var gone = Assert.ThrowsAsync<MfaHostRpcException>(() => probe.AuthenticateAsync(ReloadHarness.Otp(extra!, $"probe-{i}")));
                    Assert.That(gone!.Reason, Is.EqualTo("unknown_plugin"), $"reload {i}: the removed instance is gone");
                    break;
                default:
                    harness.WriteInstance("broken", "[plugin]\ntype = reloadable\n[reloadable]\nlable = x\n");
                    var refused = await harness.ReloadAsync();
                    Assert.That(refused.Applied, Is.False, $"reload {i}: a broken configuration is refused");
                    harness.RemoveInstance("broken");
                    break;
            }

            // Logins of every kind run across each reload: wait until each worker has finished another one.
            var before = Volatile.Read(ref answered[0]);
            for (var wait = 0; Volatile.Read(ref answered[0]) < before + Workers && wait < 400; wait++)
            {
                await Task.Delay(25);
            }

            if (i == 5)
            {
                contextsAfterStart = CollectedContextCount();
            }
        }

        Volatile.Write(ref stopped, 1);
        await Task.WhenAll(drivers);
        await harness.Reloader.DrainsCompleted.WaitAsync(TimeSpan.FromSeconds(30));
        var alive = await AliveAfterCollectionAsync(oldContexts);
        var contextsAtEnd = CollectedContextCount();

        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Empty, "logins failed or went unanswered");
            Assert.That(answered[0], Is.GreaterThanOrEqualTo(Reloads * Workers), "the load kept running through the reloads");
            Assert.That(alive, Is.Zero, $"{alive} of {oldContexts.Distinct().Count()} replaced load contexts were not collected");
            Assert.That(contextsAtEnd, Is.LessThanOrEqualTo(contextsAfterStart), "load contexts pile up across reloads");
        });
    }

    private static async Task ExpectAppliedAsync(ReloadHarness harness)
    {
        var result = await harness.ReloadAsync();
        Assert.That(result.Applied, Is.True, string.Join("\n", result.Problems));
    }

    // Each worker loops over the three kinds of login and ends every session, as a gateway does.
    private static async Task DriveAsync(ReloadHarness harness, int worker, ConcurrentQueue<string> failures, Action answered, Func<bool> stopped)
    {
        await using var client = await harness.Host.CreateClientAsync();
        for (var n = 0; !stopped(); n++)
        {
            var session = $"w{worker}-{n}";
            try
            {
                var result = (n % 3) switch
                {
                    0 => await client.AuthenticateAsync(ReloadHarness.Push("push", session)).WaitAsync(TimeSpan.FromSeconds(30)),
                    1 => await client.AuthenticateAsync(ReloadHarness.Otp("otp", session)).WaitAsync(TimeSpan.FromSeconds(30)),
                    _ => await ConverseAsync(client, session),
                };
                if (!result.IsAccept)
                {
                    failures.Enqueue($"{session}: {result}");
                }

                answered();
                await client.SessionEndedAsync(session).WaitAsync(TimeSpan.FromSeconds(30));
            }
#pragma warning disable CA1031 // Every failure is collected and reported by the test.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Enqueue($"{session}: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static async Task<AuthenticateResult> ConverseAsync(MfaHostClient client, string session)
    {
        var start = ReloadHarness.Otp("conv", session, "more");
        var asked = await client.AuthenticateAsync(start).WaitAsync(TimeSpan.FromSeconds(30));
        if (!asked.IsNeedInfo)
        {
            return asked;
        }

        await Task.Delay(100);
        return await client.AuthenticateAsync(start.WithAnswer("222222")).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference> ServingContexts(ReloadHarness harness) =>
        harness.Host.Services.GetRequiredService<ActiveCatalog>().Current.Instances
            .Where(i => i.Package?.LoadContext is not null)
            .Select(i => i.Package!.LoadContext).Distinct().Select(c => new WeakReference(c)).ToList();

    private static async Task<int> AliveAfterCollectionAsync(List<WeakReference> contexts)
    {
        for (var i = 0; contexts.Any(c => c.IsAlive) && i < 50; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(20);
        }

        return contexts.Count(c => c.IsAlive);
    }

    private static int CollectedContextCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return AssemblyLoadContext.All.Count(c => c.IsCollectible);
    }
}
