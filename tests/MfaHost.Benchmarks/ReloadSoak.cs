using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MfaHost.Client;

namespace MfaHost.Benchmarks;

/// <summary>
/// Reloads under load, against a real host process: <c>reload-setup</c> writes a configuration whose plugin folder
/// (the reloadable test plugin, two builds) and instance files this scenario changes; <c>reload-soak</c> keeps slow
/// pushes, one-time passwords and NEEDINFO conversations running on many connections while it reloads the host
/// again and again (new build, changed, added and removed instance, a broken configuration), and reports every
/// login that failed or went unanswered, the reload times and the host's memory as the reloads go by.
/// </summary>
internal static class ReloadSoak
{
    public static async Task<int> SetupAsync(Options options)
    {
        var directory = Path.GetFullPath(options.Required("dir"));
        CopyBuild(1, Path.Combine(directory, "plugins", "reloadable"));
        Directory.CreateDirectory(Path.Combine(directory, "config", "plugins"));
        await File.WriteAllTextAsync(Path.Combine(directory, "config", "mfahost.ini"), $"""
            [host]
            socket = {Path.Combine(directory, "run", "mfahost.sock")}
            plugins_dir = {Path.Combine(directory, "plugins")}
            data_dir = data
            drain_timeout = 30
            [logging]
            log_level = warning
            """ + "\n");
        await File.WriteAllTextAsync(InstanceFile(directory, "push"), Instance("p", options.Double("push-seconds") ?? 2));
        await File.WriteAllTextAsync(InstanceFile(directory, "otp"), Instance("L0", 0));
        await File.WriteAllTextAsync(InstanceFile(directory, "conv"), Instance("c", 0));
        Console.WriteLine($"wrote {Path.Combine(directory, "config", "mfahost.ini")} (instances push, otp, conv; plugin folder {Path.Combine(directory, "plugins", "reloadable")})");
        return 0;
    }

    public static async Task<int> RunAsync(Options options)
    {
        var directory = Path.GetFullPath(options.Required("dir"));
        var socket = options.Required("socket");
        var reloads = options.Int("reloads", 100);
        var workers = options.Int("connections", 32);
        var interval = TimeSpan.FromSeconds(options.Double("interval") ?? 1);
        var failures = new ConcurrentQueue<string>();
        long answered = 0;
        var stopped = 0;
        var drivers = Enumerable.Range(0, workers)
            .Select(w => DriveAsync(socket, w, failures, () => Interlocked.Increment(ref answered), () => Volatile.Read(ref stopped) == 1))
            .ToList();

        await using var admin = await MfaHostClient.ConnectAsync(socket);
        var times = new List<double>();
        var refused = 0;
        var build = 1;
        string? extra = null;
        Console.WriteLine($"reload soak: {reloads} reloads every {interval.TotalSeconds:F1} s, {workers} connections (push / otp / NEEDINFO in turn)");
        Console.WriteLine(LineDriver.Memory(options.Pid) + " (before the first reload)");
        for (var i = 1; i <= reloads; i++)
        {
            await Task.Delay(interval);
            var expectApplied = true;
            switch (i % 5)
            {
                case 0:
                    build = 3 - build;
                    CopyBuild(build, Path.Combine(directory, "plugins", "reloadable"));
                    break;
                case 1:
                    await File.WriteAllTextAsync(InstanceFile(directory, "otp"), Instance($"L{i}", 0));
                    break;
                case 2:
                    extra = $"extra{i}";
                    await File.WriteAllTextAsync(InstanceFile(directory, extra), Instance(extra, 0));
                    break;
                case 3:
                    File.Delete(InstanceFile(directory, extra!));
                    break;
                default:
                    await File.WriteAllTextAsync(InstanceFile(directory, "broken"), "[plugin]\ntype = reloadable\n[reloadable]\nlable = x\n");
                    expectApplied = false;
                    break;
            }

            var started = Stopwatch.GetTimestamp();
            var result = await admin.CallAsync("reload");
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var applied = result.GetProperty("applied").GetBoolean();
            if (applied != expectApplied)
            {
                failures.Enqueue($"reload {i}: applied = {applied}, expected {expectApplied}: {result}");
            }

            refused += applied ? 0 : 1;
            File.Delete(InstanceFile(directory, "broken"));
            if (i % 10 == 0)
            {
                Console.WriteLine($"after reload {i,4}: {Interlocked.Read(ref answered),8:N0} logins answered, {failures.Count} failed; {LineDriver.Memory(options.Pid)}");
            }
        }

        Volatile.Write(ref stopped, 1);
        await Task.WhenAll(drivers);
        times.Sort();
        Console.WriteLine($"reloads: {reloads} ({refused} refused as intended); time to answer reload: median {times[times.Count / 2]:F0} ms, p90 {times[(int)(times.Count * 0.9)]:F0} ms, max {times[^1]:F0} ms");
        Console.WriteLine($"logins answered: {answered:N0}; failed or unanswered: {failures.Count}");
        foreach (var failure in failures.Take(20))
        {
            Console.WriteLine("  " + failure);
        }

        Console.WriteLine(LineDriver.Memory(options.Pid) + " (after the last reload)");
        return failures.IsEmpty ? 0 : 1;
    }

    private static async Task DriveAsync(string socket, int worker, ConcurrentQueue<string> failures, Action answered, Func<bool> stopped)
    {
        await using var client = await MfaHostClient.ConnectAsync(socket);
        for (var n = 0; !stopped(); n++)
        {
            var session = string.Create(CultureInfo.InvariantCulture, $"w{worker}-{n}");
            try
            {
                AuthenticateResult result;
                switch (n % 3)
                {
                    case 0:
                        result = await client.AuthenticateAsync(Params("push", session, null)).WaitAsync(TimeSpan.FromSeconds(60));
                        break;
                    case 1:
                        result = await client.AuthenticateAsync(Params("otp", session, "123456")).WaitAsync(TimeSpan.FromSeconds(60));
                        break;
                    default:
                        var start = Params("conv", session, "more");
                        result = await client.AuthenticateAsync(start).WaitAsync(TimeSpan.FromSeconds(60));
                        if (result.IsNeedInfo)
                        {
                            await Task.Delay(200);
                            result = await client.AuthenticateAsync(start.WithAnswer("222222")).WaitAsync(TimeSpan.FromSeconds(60));
                        }

                        break;
                }

                if (!result.IsAccept)
                {
                    failures.Enqueue($"{session}: {result}");
                }

                answered();
                await client.SessionEndedAsync(session).WaitAsync(TimeSpan.FromSeconds(60));
            }
#pragma warning disable CA1031 // Every failure is counted and printed.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Enqueue($"{session}: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static AuthenticateParams Params(string plugin, string session, string? code) =>
        new() { Plugin = plugin, SessionId = session, Username = "alice", MfaPassword = code, Protocol = "web" };

    private static string Instance(string label, double pushSeconds) =>
        string.Create(CultureInfo.InvariantCulture, $"[plugin]\ntype = reloadable\n[reloadable]\nlabel = {label}\npush_delay = {pushSeconds}\n");

    private static string InstanceFile(string directory, string name) => Path.Combine(directory, "config", "plugins", name + ".ini");

    private static void CopyBuild(int build, string target)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "benchplugins", "reloadable-v" + build.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
    }
}
