using System.Diagnostics;
using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Benchmarks;

/// <summary>
/// <c>totp-verify-load</c>: the <c>totp</c> plugin's verify/claim/store path in this process, without the socket and the
/// pipeline: the instance of a <c>totp-setup</c> folder loaded as the host loads it (same state store, same seed key),
/// C concurrent callers each calling it with fresh valid codes of distinct users for T seconds. Prints throughput,
/// latency and the process's CPU time per verification, the figure that does not depend on what else the machine runs.
/// </summary>
internal static class TotpVerifyLoad
{
    public static async Task<int> RunAsync(Options options)
    {
        var directory = Path.GetFullPath(options.Required("dir"));
        var callers = options.Int("callers", 16);
        var duration = TimeSpan.FromSeconds(options.Double("seconds") ?? 10);
        var warmup = TimeSpan.FromSeconds(options.Double("warmup-seconds") ?? 3);
        var users = TotpLoad.ReadUsers(Path.Combine(directory, "totp-users.txt"));

        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(Path.Combine(directory, "mfahost.ini"), errors);
        using var loggerFactory = HostComposition.CreateLoggerFactory(settings, Console.Error, LogLevel.Warning);
        var store = HostComposition.CreateStateStore(settings, TimeProvider.System);
        await using var storeLifetime = store as IAsyncDisposable;
        await using var catalog = new PluginCatalogBuilder(settings, loggerFactory, TimeProvider.System, store).BuildOne(Path.Combine(directory, "plugins", "totp.ini"), errors);
        if (errors.Count > 0)
        {
            throw errors[0];
        }

        catalog.TryGet("totp", out var instance);
        var client = instance!.Client!;
        var slices = Enumerable.Range(0, callers).Select(w => users.Where((_, i) => i % callers == w).ToArray()).ToArray();
        Console.WriteLine($"totp-verify-load: {callers} caller(s), {users.Length:N0} users, {duration.TotalSeconds} s after {warmup.TotalSeconds} s warm-up, store {settings.State.Backend}");
        await DriveAsync(client, slices, warmup);
        long errorCount = 0;
        for (var round = 0; round < options.Int("rounds", 1); round++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var result = await DriveAsync(client, slices, duration);
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            errorCount += result.Errors;
            Console.WriteLine(result.Summary("verify"));
            Console.WriteLine($"cpu: {cpu.TotalMilliseconds / result.Completed * 1000:F1} µs per verification (this process, driver included), {cpu.TotalSeconds / result.Elapsed.TotalSeconds:F2} cores");
        }

        return errorCount == 0 ? 0 : 1;
    }

    private static async Task<DriverResult> DriveAsync(MfaClient client, TotpLoad.User[][] slices, TimeSpan duration)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(slices.Select((slice, w) => Task.Run(() => CallerAsync(client, slice, w, deadline))));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        Array.Sort(latencies);
        return new DriverResult(latencies.LongLength, results.Sum(r => r.Errors), elapsed, latencies);
    }

    private static async Task<(List<long> Latencies, long Errors)> CallerAsync(MfaClient client, TotpLoad.User[] users, int worker, long deadline)
    {
        var latencies = new List<long>(1 << 16);
        long errors = 0;
        var session = new MfaSession($"w{worker}");
        var picker = new TotpLoad.UserPicker(users);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (picker.Next() is not var (user, step))
            {
                await Task.Delay(1);
                continue;
            }

            var request = new MfaRequest
            {
                Username = user.Name,
                MfaIdentity = user.Name,
                MfaPassword = user.Totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step).UtcDateTime),
                Session = session,
            };
            var sent = Stopwatch.GetTimestamp();
            var verdict = await client.ExecuteAuthenticateAsync(request, CancellationToken.None);
            latencies.Add(Stopwatch.GetTimestamp() - sent);
            if (!verdict.IsAccept)
            {
                errors++;
            }
        }

        return (latencies, errors);
    }
}
