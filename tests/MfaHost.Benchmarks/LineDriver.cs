using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace MfaHost.Benchmarks;

/// <summary>What one driver run measured.</summary>
internal sealed record DriverResult(long Completed, long Errors, TimeSpan Elapsed, long[] LatencyTicks)
{
    public double PerSecond => Completed / Elapsed.TotalSeconds;

    public double Percentile(double p)
    {
        if (LatencyTicks.Length == 0)
        {
            return double.NaN;
        }

        var index = (int)Math.Clamp(Math.Ceiling(p / 100 * LatencyTicks.Length) - 1, 0, LatencyTicks.Length - 1);
        return LatencyTicks[index] * 1_000_000.0 / Stopwatch.Frequency;
    }

    public string Summary(string label) =>
        $"{label}: {Completed:N0} requests in {Elapsed.TotalSeconds:F2} s = {PerSecond:N0}/s; errors {Errors}; latency µs p50 {Percentile(50):F0}  p90 {Percentile(90):F0}  p99 {Percentile(99):F0}  max {Percentile(100):F0}";
}

/// <summary>
/// A closed-loop JSON Lines driver: C connections, each keeping D requests outstanding (pipelining
/// depth), for N requests in all or T seconds. Latency is from writing a request to reading its answer.
/// </summary>
internal static class LineDriver
{
    private const int Ring = 1 << 16;

    /// <summary>Whether an answer line counts as a success (default: anything but a JSON-RPC error).</summary>
    public delegate bool AnswerCheck(ReadOnlySpan<byte> answer);

    public static async Task<DriverResult> RunAsync(
        string socketPath, int connections, int depth, long? requests, TimeSpan? duration, Func<int, long, string> line, AnswerCheck? succeeded = null)
    {
        succeeded ??= static answer => answer.IndexOf("\"error\""u8) < 0;
        long issued = 0;
        var deadline = duration is { } d ? Stopwatch.GetTimestamp() + (long)(d.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        bool More()
        {
            if (requests is { } total)
            {
                return Interlocked.Increment(ref issued) <= total;
            }

            return Stopwatch.GetTimestamp() < deadline;
        }

        var sockets = new List<Socket>();
        for (var c = 0; c < connections; c++)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
            sockets.Add(socket);
        }

        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(sockets.Select((s, c) => Task.Run(() => ConnectionAsync(s, c, depth, More, line, succeeded))));
        var elapsed = Stopwatch.GetElapsedTime(started);
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        Array.Sort(latencies);
        return new DriverResult(latencies.LongLength, results.Sum(r => r.Errors), elapsed, latencies);
    }

    private static async Task<(List<long> Latencies, long Errors)> ConnectionAsync(Socket socket, int connection, int depth, Func<bool> more, Func<int, long, string> line, AnswerCheck succeeded)
    {
        var starts = new long[Ring];
        var latencies = new List<long>(1 << 16);
        var send = new ArrayBufferWriter<byte>(64 * 1024);
        var buffer = new byte[256 * 1024];
        var filled = 0;
        long sent = 0;
        long received = 0;
        long errors = 0;

        void Append(long id)
        {
            Encoding.UTF8.GetBytes(line(connection, id), send);
            send.Write("\n"u8);
            starts[id & (Ring - 1)] = Stopwatch.GetTimestamp();
        }

        for (var i = 0; i < depth && more(); i++)
        {
            Append(sent++);
        }

        while (received < sent)
        {
            if (send.WrittenCount > 0)
            {
                await socket.SendAsync(send.WrittenMemory, SocketFlags.None);
                send.ResetWrittenCount();
            }

            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("the server closed the connection");
            }

            var now = Stopwatch.GetTimestamp();
            filled += read;
            var start = 0;
            int newline;
            while ((newline = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0)
            {
                var answer = buffer.AsSpan(start, newline - start);
                var id = IdOf(answer);
                latencies.Add(now - starts[id & (Ring - 1)]);
                if (!succeeded(answer))
                {
                    errors++;
                }

                received++;
                start = newline + 1;
                if (more())
                {
                    Append(sent++);
                }
            }

            Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
            filled -= start;
        }

        return (latencies, errors);
    }

    private static long IdOf(ReadOnlySpan<byte> answer)
    {
        var at = answer.IndexOf("\"id\":"u8);
        return at >= 0 && Utf8Parser.TryParse(answer[(at + 5)..], out long id, out _) ? id : 0;
    }

    /// <summary>An authenticate request (push); the session id cycles over 1024 per connection unless given.</summary>
    public static string AuthenticateLine(string plugin, int connection, long id, string? sessionId = null) =>
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"authenticate","params":{"plugin":"{{{plugin}}}","session_id":"{{{sessionId ?? $"c{connection}-{id % 1024}"}}}","username":"user{{{connection}}}"}}""";

    public static string HealthLine(long id) => $$"""{"jsonrpc":"2.0","id":{{id}},"method":"health"}""";

    public static string Memory(int? pid)
    {
        if (pid is not { } p)
        {
            return "host memory: (no --host-pid)";
        }

        var status = File.ReadAllLines($"/proc/{p}/status");
        string Field(string name) => status.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        return $"host memory: peak (VmHWM) {Field("VmHWM")}, now (VmRSS) {Field("VmRSS")}";
    }
}
