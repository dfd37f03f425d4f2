using System.Diagnostics;
using MfaHost.Configuration;
using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Configuration;

namespace MfaHost.Benchmarks;

/// <summary>
/// <c>totp-steps</c>: a stopwatch breakdown of one TOTP verification on a <c>totp-setup</c> folder's store, one step at a
/// time, one caller, N repetitions each: the enrollment read, its decoding (JSON, AES-GCM, Base32), the code check,
/// the replay claim (alone and with 16 callers, where group commit applies). Wall time per step; run it on a quiet machine.
/// </summary>
internal static class TotpSteps
{
    public static async Task<int> RunAsync(Options options)
    {
        var directory = Path.GetFullPath(options.Required("dir"));
        var n = options.Int("count", 20_000);
        var users = TotpLoad.ReadUsersFile(Path.Combine(directory, "totp-users.txt"));
        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(Path.Combine(directory, "mfahost.ini"), errors);
        var root = StateStoreFactory.Open(settings, TimeProvider.System);
        await using var rootLifetime = root as IAsyncDisposable;
        var state = new NamespacedStateStore(root, "totp");
        var ini = PluginConfigurationOf(Path.Combine(directory, "plugins", "totp.ini"));
        var enrollments = new TotpEnrollmentStore(state, TimeProvider.System, SeedProtector.FromConfiguration(ini));

        for (var pass = 0; pass < 2; pass++)
        {
            Console.WriteLine(pass == 0 ? "warm-up pass" : $"per step, mean of {n:N0}:");
            Measure("store read (enrollment row)", n, i => state.GetAsync("enrollment/" + users[i % users.Length].Name, default));
            Measure("enrollment read, decoded enrollment kept (2nd pass: warm)", n, i => enrollments.GetAsync(users[i % users.Length].Name, default));
            var enrollment = (await enrollments.GetAsync(users[0].Name, default))!;
            var now = DateTime.UtcNow;
            var code = enrollment.CreateTotp().ComputeTotp(now);
            Measure("Base32 decode + Otp.NET Totp object", n, _ => ValueTask.FromResult(enrollment.CreateTotp()));
            var totp = enrollment.CreateTotp();
            Measure("VerifyTotp window ±1 (valid code, current step)", n, _ => ValueTask.FromResult(totp.VerifyTotp(now, code, out long _, new OtpNet.VerificationWindow(1, 1))));
            long claim = Stopwatch.GetTimestamp() * 1000 + pass;
            Measure("replay claim TryAdd, one caller", n / 4, i => state.TryAddAsync($"used/bench/{claim}/{i}", "1", DateTimeOffset.UtcNow.AddSeconds(4), default));
            await MeasureConcurrentAsync("replay claim TryAdd, 16 callers (per claim)", n, 16, i => state.TryAddAsync($"used/bench16/{claim}/{i}", "1", DateTimeOffset.UtcNow.AddSeconds(4), default));
        }

        return 0;
    }

    private static PluginConfiguration PluginConfigurationOf(string file)
    {
        var errors = new List<MfaConfigurationException>();
        return new PluginConfiguration(new ConfigurationBuilder().AddIniFile(file).Build(), file, MfaHost.Configuration.NoCredentials.Instance);
    }

    private static void Measure<T>(string what, int n, Func<int, ValueTask<T>> step)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            var pending = step(i);
            if (!pending.IsCompleted)
            {
                pending.AsTask().GetAwaiter().GetResult();
            }
        }

        Report(what, n, started, cpu);
    }

    private static async Task MeasureConcurrentAsync<T>(string what, int n, int callers, Func<int, ValueTask<T>> step)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < n)
            {
                await step(i);
            }
        })));
        Report(what, n, started, cpu);
    }

    private static void Report(string what, int n, long started, TimeSpan cpu)
    {
        var wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds * 1000 / n;
        var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1000 / n;
        Console.WriteLine($"  {what,-60} wall {wall,8:F1} µs   cpu {used,8:F1} µs");
    }
}
