using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace MfaHost.Benchmarks;

/// <summary>
/// <c>soak</c>: mixed load on a running host for MINUTES (default 30): pipelined authenticates, health calls, malformed and
/// non-UTF-8 frames, connections opened and closed, idle and half-sent connections left for the host's timeouts. Every
/// 30 s it prints the host's resident memory and open file descriptors (read from /proc for the pid the socket reports
/// through SO_PEERCRED); at the end it fails (exit 1) when either grew past its allowance after the warm-up.
/// </summary>
internal static class Soak
{
    private static readonly byte[][] Hostile =
    [
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\\ud800\"}\n"u8.ToArray(),
        [.. "{\"jsonrpc\":\"2.0\",\"id\":\""u8, 0xFF, .. "\",\"method\":\"health\"}\n"u8],
        "not json at all\n"u8.ToArray(),
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"}\n"u8.ToArray(),
        "[1,2,3]\n"u8.ToArray(),
    ];

    public static async Task<int> RunAsync(Options options)
    {
        var socketPath = options.Required("socket");
        var plugin = options.Get("plugin", "noop");
        var duration = TimeSpan.FromMinutes(options.Double("minutes") ?? 30);
        var workers = options.Int("workers", 8);
        var pid = HostPid(socketPath);
        Console.WriteLine($"soak: {duration.TotalMinutes} min on {socketPath} (host pid {pid}), {workers} worker(s), plugin {plugin}");

        using var stop = new CancellationTokenSource(duration);
        var counts = new long[3];
        var tasks = Enumerable.Range(0, workers).Select(w => WorkerAsync(socketPath, plugin, w, counts, stop.Token)).ToList();
        var samples = new List<(TimeSpan At, long RssKb, int Fds)>();
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            var sample = (clock.Elapsed, RssKb(pid), Fds(pid));
            samples.Add(sample);
            Console.WriteLine($"{sample.Elapsed:hh\\:mm\\:ss} rss {sample.Item2 / 1024} MB, fds {sample.Item3}, requests {Interlocked.Read(ref counts[0]):N0}, hostile frames {Interlocked.Read(ref counts[1]):N0}, connections {Interlocked.Read(ref counts[2]):N0}");
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Task.WhenAll(tasks);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var end = (clock.Elapsed, RssKb(pid), Fds(pid));
        samples.Add(end);
        Console.WriteLine($"end: rss {end.Item2 / 1024} MB, fds {end.Item3}");

        // The warm-up is the first fifth of the run; memory may grow 50 % (and 64 MB) over it, descriptors by 32.
        var warm = samples.First(s => s.At >= duration / 5);
        var memoryOk = end.Item2 <= Math.Max(warm.RssKb * 3 / 2, warm.RssKb + (64 * 1024));
        var fdsOk = end.Item3 <= warm.Fds + 32;
        Console.WriteLine($"after warm-up: rss {warm.RssKb / 1024} MB, fds {warm.Fds} -> {(memoryOk && fdsOk ? "flat" : "GREW")}");
        return memoryOk && fdsOk ? 0 : 1;
    }

    private static async Task WorkerAsync(string socketPath, string plugin, int worker, long[] counts, CancellationToken stop)
    {
        var random = new Random(worker);
        long id = 0;
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            Interlocked.Increment(ref counts[2]);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), stop);
                var kind = random.Next(10);
                if (kind == 0)
                {
                    // Left idle or half-sent: the host's connection_idle_timeout or frame_timeout closes it.
                    await socket.SendAsync(random.Next(2) == 0 ? Array.Empty<byte>() : "{\"jsonrpc\":\"2.0\",\"id\":"u8.ToArray(), stop);
                    continue;
                }

                var text = new StringBuilder();
                var lines = random.Next(1, 200);
                for (var i = 0; i < lines; i++)
                {
                    text.Append(random.Next(4) == 0 ? LineDriver.HealthLine(++id) : LineDriver.AuthenticateLine(plugin, worker, ++id)).Append('\n');
                }

                var payload = Encoding.UTF8.GetBytes(text.ToString());
                await socket.SendAsync(payload, stop);
                var hostile = Hostile[random.Next(Hostile.Length)];
                await socket.SendAsync(hostile, stop);
                socket.Shutdown(SocketShutdown.Send);
                var buffer = new byte[65536];
                while (await socket.ReceiveAsync(buffer, stop) > 0)
                {
                }

                Interlocked.Add(ref counts[0], lines);
                Interlocked.Increment(ref counts[1]);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // Refused at the connection cap, or closed by a timeout: part of the mix.
            }
        }
    }

    private static int HostPid(string socketPath)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        Span<byte> ucred = stackalloc byte[12];
        socket.GetRawSocketOption(1, 17, ucred);
        return MemoryMarshal.Read<int>(ucred);
    }

    private static long RssKb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static int Fds(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;
}
