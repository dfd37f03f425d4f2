using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace MfaHost.Benchmarks;

/// <summary>
/// <c>park</c>: puts COUNT pushes into the host at once (a plugin that waits before it answers), measures
/// <c>health</c> latency while they wait, reads the host's peak memory, then collects every push answer.
/// </summary>
internal static class ParkedPushes
{
    public static async Task<int> RunAsync(Options options)
    {
        var socketPath = options.Required("socket");
        var plugin = options.Get("plugin", "park");
        var count = options.Int("count", 10000);
        var connections = options.Int("connections", 100);
        var healthSeconds = options.Double("health-seconds") ?? 20;
        Console.WriteLine($"park: {count:N0} pushes to {plugin} over {connections} connection(s); health measured for {healthSeconds} s");

        var sockets = new List<Socket>();
        for (var c = 0; c < connections; c++)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
            sockets.Add(socket);
        }

        var started = Stopwatch.GetTimestamp();
        var collecting = new List<Task<(int Accepted, int Other)>>();
        for (var c = 0; c < connections; c++)
        {
            var share = count / connections + (c < count % connections ? 1 : 0);
            var text = new StringBuilder();
            for (var i = 0; i < share; i++)
            {
                text.Append(LineDriver.AuthenticateLine(plugin, c, i, $"park-{c}-{i}")).Append('\n');
            }

            await sockets[c].SendAsync(Encoding.UTF8.GetBytes(text.ToString()), SocketFlags.None);
            collecting.Add(CollectAsync(sockets[c], share));
        }

        // Wait until the host has them all in flight.
        var healthLatencies = new List<long>();
        using var health = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await health.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        var buffer = new byte[4096];
        long id = 0;
        async Task<(long Ticks, string Answer)> HealthAsync()
        {
            var before = Stopwatch.GetTimestamp();
            await health.SendAsync(Encoding.UTF8.GetBytes(LineDriver.HealthLine(++id) + "\n"), SocketFlags.None);
            var filled = 0;
            while (filled == 0 || buffer[filled - 1] != (byte)'\n')
            {
                filled += await health.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
            }

            return (Stopwatch.GetTimestamp() - before, Encoding.UTF8.GetString(buffer, 0, filled));
        }

        string last;
        do
        {
            last = (await HealthAsync()).Answer;
        }
        while (!last.Contains($"\"in_flight\":{count}", StringComparison.Ordinal) && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(25));

        Console.WriteLine($"all parked after {Stopwatch.GetElapsedTime(started).TotalSeconds:F2} s: {last.Trim()}");
        var probeEnd = Stopwatch.GetTimestamp() + (long)(healthSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < probeEnd)
        {
            healthLatencies.Add((await HealthAsync()).Ticks);
        }

        var sorted = healthLatencies.Order().ToArray();
        var result = new DriverResult(sorted.Length, 0, TimeSpan.FromSeconds(healthSeconds), sorted);
        Console.WriteLine(result.Summary("health while parked"));
        Console.WriteLine(LineDriver.Memory(options.Pid));

        var answers = await Task.WhenAll(collecting);
        Console.WriteLine($"pushes answered: {answers.Sum(a => a.Accepted):N0} ACCEPT, {answers.Sum(a => a.Other):N0} other, {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s after the first was sent");
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        return answers.Sum(a => a.Other) == 0 ? 0 : 1;
    }

    private static async Task<(int Accepted, int Other)> CollectAsync(Socket socket, int expected)
    {
        var buffer = new byte[1 << 20];
        var filled = 0;
        var accepted = 0;
        var other = 0;
        while (accepted + other < expected)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
            if (read == 0)
            {
                break;
            }

            filled += read;
            var start = 0;
            int newline;
            while ((newline = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0)
            {
                if (buffer.AsSpan(start, newline - start).IndexOf("\"ACCEPT\""u8) >= 0)
                {
                    accepted++;
                }
                else
                {
                    other++;
                }

                start = newline + 1;
            }

            Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
            filled -= start;
        }

        return (accepted, other);
    }
}
