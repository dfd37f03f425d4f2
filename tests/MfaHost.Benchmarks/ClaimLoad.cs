using System.Diagnostics;
using MfaHost.State;

namespace MfaHost.Benchmarks;

/// <summary>
/// <c>claim-load</c>: the TOTP hot path's store work in one process, without the socket: W concurrent callers each
/// read an enrollment-sized value and claim a new replay key (expiring after 4 s, as with a 1-second period), for T
/// seconds. Isolates the SQLite store's write path (group commit, purge) from the rest of the host.
/// </summary>
internal static class ClaimLoad
{
    public static async Task<int> RunAsync(Options options)
    {
        var writers = options.Int("writers", 16);
        var duration = TimeSpan.FromSeconds(options.Double("seconds") ?? 5);
        var directory = Directory.CreateTempSubdirectory("mfahost-claims-");
        try
        {
            using var store = SqliteStateStore.InDirectory(directory.FullName, TimeProvider.System);
            for (var u = 0; u < 1000; u++)
            {
                await store.SetAsync($"enrollment/user{u}", new string('x', 300), null, default);
            }

            Console.WriteLine($"claim-load: {writers} caller(s), {duration.TotalSeconds} s, store {store.Path}");
            var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            long next = 0;
            var started = Stopwatch.GetTimestamp();
            var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                var latencies = new List<long>(1 << 16);
                long errors = 0;
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    var n = Interlocked.Increment(ref next);
                    var sent = Stopwatch.GetTimestamp();
                    _ = await store.GetAsync($"enrollment/user{n % 1000}", default);
                    if (!await store.TryAddAsync($"used/user{n % 1000}/{n}", "1", DateTimeOffset.UtcNow.AddSeconds(4), default))
                    {
                        errors++;
                    }

                    latencies.Add(Stopwatch.GetTimestamp() - sent);
                }

                return (latencies, errors);
            })));
            var elapsed = Stopwatch.GetElapsedTime(started);
            var all = results.SelectMany(r => r.latencies).ToArray();
            Array.Sort(all);
            Console.WriteLine(new DriverResult(all.LongLength, results.Sum(r => r.errors), elapsed, all).Summary("claims"));
            return 0;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
