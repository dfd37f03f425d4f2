using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace MfaHost.Benchmarks;

/// <summary>
/// <c>park</c>: puts COUNT pushes into a running host at once (one user each, spread over CONNECTIONS gateway
/// connections), measures <c>health</c> latency while they wait, reads the host's peak memory and file
/// handles, then collects every push answer and checks it against what was expected of it.
/// </summary>
internal static class ParkedPushes
{
    public static async Task<int> RunAsync(Options options)
    {
        var run = new ParkRun(
            options.Required("socket"),
            options.Get("plugin", "park"),
            options.Int("count", 10000),
            options.Int("connections", 20),
            options.Double("health-seconds") ?? 20,
            options.Pid);
        var answers = await run.ParkAsync(whileParked: null);
        return ParkRun.Report(answers, _ => ("ACCEPT", null));
    }
}

/// <summary>One parked-push run against a host: send, measure while parked, collect.</summary>
internal sealed class ParkRun(string socketPath, string plugin, int count, int connections, double healthSeconds, int? hostPid)
{
    private long _started;

    /// <summary>What the host answered push <c>k</c> (by request id): verdict and reason.</summary>
    public sealed record Answer(string Verdict, string Reason);

    public static string UserOf(int push) => $"u{push}";

    public async Task<Answer?[]> ParkAsync(Func<Task>? whileParked)
    {
        Console.WriteLine($"park: {count:N0} pushes to {plugin} over {connections} gateway connection(s), one user each; health measured for {healthSeconds} s");
        var sockets = new List<Socket>();
        for (var c = 0; c < connections; c++)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
            sockets.Add(socket);
        }

        var answers = new Answer?[count];
        _started = Stopwatch.GetTimestamp();
        var collecting = new List<Task>();
        for (var c = 0; c < connections; c++)
        {
            var text = new StringBuilder();
            var share = 0;
            for (var k = c; k < count; k += connections)
            {
                text.Append($$$"""{"jsonrpc":"2.0","id":{{{k + 1}}},"method":"authenticate","params":{"plugin":"{{{plugin}}}","session_id":"park-{{{k}}}","username":"{{{UserOf(k)}}}"}}""").Append('\n');
                share++;
            }

            await sockets[c].SendAsync(Encoding.UTF8.GetBytes(text.ToString()), SocketFlags.None);
            collecting.Add(CollectAsync(sockets[c], share, answers));
        }

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

        // Wait until the host has them all in flight.
        string last;
        do
        {
            last = (await HealthAsync()).Answer;
        }
        while (!last.Contains($"\"in_flight\":{count}", StringComparison.Ordinal) && Elapsed < TimeSpan.FromSeconds(25));

        Console.WriteLine($"all parked after {Elapsed.TotalSeconds:F2} s: {last.Trim()}");
        var probeEnd = Stopwatch.GetTimestamp() + (long)(healthSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < probeEnd)
        {
            healthLatencies.Add((await HealthAsync()).Ticks);
        }

        var sorted = healthLatencies.Order().ToArray();
        var result = new DriverResult(sorted.Length, 0, TimeSpan.FromSeconds(healthSeconds), sorted);
        Console.WriteLine(result.Summary("health while parked"));
        Console.WriteLine(LineDriver.Memory(hostPid));
        if (hostPid is { } pid)
        {
            Console.WriteLine($"host file handles: {Directory.GetFiles($"/proc/{pid}/fd").Length} open (gateway connections included: {connections} + 1 for health)");
        }

        if (whileParked is not null)
        {
            await whileParked();
        }

        await Task.WhenAll(collecting);
        Console.WriteLine($"all answered {Elapsed.TotalSeconds:F1} s after the first was sent; {LineDriver.Memory(hostPid)}");
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        return answers;
    }

    /// <summary>Prints how the answers compare with <paramref name="expected"/>; 0 when every push got what it should.</summary>
    public static int Report(Answer?[] answers, Func<int, (string Verdict, string? Reason)> expected)
    {
        var wrong = 0;
        string? example = null;
        for (var k = 0; k < answers.Length; k++)
        {
            var (verdict, reason) = expected(k);
            if (answers[k] is not { } answer || answer.Verdict != verdict || (reason is not null && answer.Reason != reason))
            {
                wrong++;
                example ??= $"push {k}: expected {verdict} {reason}, got {answers[k]?.ToString() ?? "no answer"}";
            }
        }

        var tally = answers.GroupBy(a => a is null ? "no answer" : $"{a.Verdict} {a.Reason}").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count():N0} {g.Key}");
        Console.WriteLine($"pushes answered: {string.Join(", ", tally)}; as expected: {answers.Length - wrong:N0} of {answers.Length:N0}{(example is null ? string.Empty : "; first wrong: " + example)}");
        return wrong == 0 ? 0 : 1;
    }

    private TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    private static async Task CollectAsync(Socket socket, int expected, Answer?[] answers)
    {
        var buffer = new byte[1 << 20];
        var filled = 0;
        var seen = 0;
        while (seen < expected)
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
                var line = buffer.AsSpan(start, newline - start);
                var id = Number(line, "\"id\":"u8);
                if (id >= 1 && id <= answers.Length)
                {
                    answers[id - 1] = new Answer(Word(line, "\"verdict\":\""u8) ?? "error", Word(line, "\"reason\":\""u8) ?? Encoding.UTF8.GetString(line));
                }

                seen++;
                start = newline + 1;
            }

            Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
            filled -= start;
        }
    }

    private static long Number(ReadOnlySpan<byte> line, ReadOnlySpan<byte> key)
    {
        var at = line.IndexOf(key);
        return at >= 0 && Utf8Parser.TryParse(line[(at + key.Length)..], out long value, out _) ? value : 0;
    }

    private static string? Word(ReadOnlySpan<byte> line, ReadOnlySpan<byte> key)
    {
        var at = line.IndexOf(key);
        if (at < 0)
        {
            return null;
        }

        var rest = line[(at + key.Length)..];
        var end = rest.IndexOf((byte)'"');
        return end < 0 ? null : Encoding.UTF8.GetString(rest[..end]);
    }
}
