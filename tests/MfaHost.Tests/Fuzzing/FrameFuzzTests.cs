using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using MfaHost.Protocol;
using MfaHost.Testing;
using MfaHost.Tests.Hardening;
using MfaHost.Tests.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Tests.Fuzzing;

/// <summary>
/// Issue 13, "fuzzing in CI": a seeded, grammar-aware mutation fuzzer sends JSON-RPC frames to a real host over its
/// socket and checks that every frame gets exactly one valid UTF-8 JSON answer (a notification: none or an error), that
/// the host keeps serving, and that its memory comes back near where it started. Every frame that ever failed is kept
/// in <c>Fuzzing/Corpus/frames</c> and replayed first.
/// </summary>
/// <remarks>
/// <c>MFAHOST_FUZZ_FRAMES</c> (default 100000) and <c>MFAHOST_FUZZ_SEED</c> (default 13) make a longer or different run on
/// demand, e.g. <c>MFAHOST_FUZZ_FRAMES=5000000 MFAHOST_FUZZ_SEED=$RANDOM dotnet test tests/MfaHost.Tests --filter FrameFuzz</c>.
/// </remarks>
[NonParallelizable]
public class FrameFuzzTests
{
    /// <summary>The id of a frame whose id is not known (a corpus file): any answer's id is taken as its own.</summary>
    internal const string AnyId = "*";

    private const int Connections = 4;
    private const int Batch = 250;
    private static readonly int[] DocumentedCodes = [-32700, -32600, -32601, -32602, -32603, -32001, -32002];

    internal static int FromEnvironment(string name, int otherwise) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : otherwise;

    private static IEnumerable<TestCaseData> CorpusFrames() =>
        Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fuzzing", "Corpus", "frames"))
            .Order(StringComparer.Ordinal)
            .Select(f => new TestCaseData(Path.GetFileName(f)).SetName("corpus frame " + Path.GetFileName(f)));

    [TestCaseSource(nameof(CorpusFrames))]
    public async Task A_frame_that_once_failed_is_answered_as_documented(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fuzzing", "Corpus", "frames", file));
        await using var host = await StartHostAsync();
        await using var connection = await ByteConnection.ConnectAsync(host.SocketPath);

        var failures = await RunBatchAsync(connection, [new GeneratedFrame(bytes, AnyId)], "corpus");

        Assert.That(failures, Is.Empty);
        Assert.That(await HealthAsync(host), Is.EqualTo("ok"));
    }

    [Test]
    public async Task Every_fuzzed_frame_is_answered_the_host_stays_up_and_its_memory_comes_back()
    {
        var total = FromEnvironment("MFAHOST_FUZZ_FRAMES", 100_000);
        var seed = FromEnvironment("MFAHOST_FUZZ_SEED", 13);
        await using var host = await StartHostAsync();
        var server = host.Services.GetRequiredService<GatewaySocketServer>();

        // Warm up (JIT, pools), then take the baseline.
        await RunConnectionAsync(host, seed + 1000, 0, 2000, new ConcurrentQueue<string>());
        await WaitForConnectionsClosedAsync(server);
        var baseline = ManagedMemory();

        var failures = new ConcurrentQueue<string>();
        var perConnection = (total + Connections - 1) / Connections;
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(c => RunConnectionAsync(host, seed + c, c * perConnection, perConnection, failures)));
        await WaitForConnectionsClosedAsync(server);
        var after = ManagedMemory();

        Assert.That(failures, Is.Empty, $"{failures.Count} failure(s); the first: {string.Join("\n", failures.Take(10))}");
        Assert.That(await HealthAsync(host), Is.EqualTo("ok"), "the host still answers health");
        Assert.That(after - baseline, Is.LessThan(64L * 1024 * 1024), $"managed memory went from {baseline / 1024 / 1024} MB to {after / 1024 / 1024} MB");
        TestContext.Out.WriteLine($"{Connections * perConnection} frames, seed {seed}; managed memory {baseline / 1024 / 1024} MB before, {after / 1024 / 1024} MB after");
    }

    internal static async Task<RunningHost> StartHostAsync() =>
        await TestPluginHost.StartAsync(
            new Dictionary<string, string> { ["noop"] = TestPluginHost.Noop },
            "max_frame_bytes = 1048576\nmax_in_flight_per_connection = 100000\nmax_in_flight = 100000");

    private static async Task RunConnectionAsync(RunningHost host, int seed, int firstIndex, int count, ConcurrentQueue<string> failures)
    {
        var generator = new FrameGenerator(seed, "noop");
        var connection = await ByteConnection.ConnectAsync(host.SocketPath);
        try
        {
            for (var done = 0; done < count && failures.Count < 20; done += Batch)
            {
                var frames = Enumerable.Range(firstIndex + done, Math.Min(Batch, count - done)).Select(generator.Next).ToList();
                foreach (var failure in await RunBatchAsync(connection, frames, $"{seed}-{done}"))
                {
                    failures.Enqueue(failure);
                }
            }
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Sends each frame followed by a sentinel line (an unknown method, answered at once and in order), then reads until
    /// every sentinel and every answer the frames are owed has come. Returns what went wrong, naming the saved frames.
    /// </summary>
    internal static async Task<List<string>> RunBatchAsync(ByteConnection connection, IReadOnlyList<GeneratedFrame> frames, string batch)
    {
        var failures = new List<string>();
        var payload = new List<byte>();
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < frames.Count; i++)
        {
            payload.AddRange(frames[i].Bytes);
            payload.AddRange(Encoding.UTF8.GetBytes($"\n{{\"jsonrpc\":\"2.0\",\"id\":\"sentinel-{i}\",\"method\":\"fuzz.sentinel\"}}\n"));
            byId[frames[i].IdText] = i;
        }

        var answers = new int[frames.Count];
        var required = frames.Select(f => AnswerRequired(f.Bytes)).ToArray();
        await connection.SendAsync([.. payload]);

        var segment = 0;
        while (segment < frames.Count || Enumerable.Range(0, frames.Count).Any(i => required[i] && answers[i] == 0))
        {
            byte[]? line;
            try
            {
                line = await connection.ReadLineBytesAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                failures.Add(Describe(frames, Enumerable.Range(0, frames.Count).FirstOrDefault(i => required[i] && answers[i] == 0), batch, "no answer within 30 s"));
                return failures;
            }

            if (line is null)
            {
                failures.Add(Describe(frames, Math.Min(segment, frames.Count - 1), batch, "the host closed the connection"));
                return failures;
            }

            if (Check(line) is { } problem)
            {
                failures.Add(Describe(frames, Math.Min(segment, frames.Count - 1), batch, problem + ": " + Encoding.UTF8.GetString(line)));
                continue;
            }

            using var answer = JsonDocument.Parse(line);
            var id = answer.RootElement.GetProperty("id");
            var idText = id.GetRawText();
            if (id.ValueKind == JsonValueKind.String && id.GetString()!.StartsWith("sentinel-", StringComparison.Ordinal))
            {
                var n = int.Parse(id.GetString()!["sentinel-".Length..], CultureInfo.InvariantCulture);
                if (n != segment)
                {
                    failures.Add(Describe(frames, Math.Min(segment, frames.Count - 1), batch, $"sentinel {n} answered while {segment} was expected"));
                }

                segment = n + 1;
                continue;
            }

            // An answer with the frame's own id, or an error with id null right after the frame (answered in order).
            var index = byId.TryGetValue(idText, out var own) ? own
                : byId.ContainsKey(AnyId) ? 0
                : id.ValueKind == JsonValueKind.Null ? segment
                : -1;
            if (index < 0 || index >= frames.Count)
            {
                failures.Add(Describe(frames, Math.Min(segment, frames.Count - 1), batch, "an answer with an id no frame had: " + idText));
                continue;
            }

            if (++answers[index] > 1)
            {
                failures.Add(Describe(frames, index, batch, "answered twice"));
            }
        }

        return failures;
    }

    /// <summary>Null when the answer line is valid UTF-8 JSON-RPC with a documented error code; otherwise what is wrong.</summary>
    internal static string? Check(byte[] line)
    {
        if (!Utf8.IsValid(line))
        {
            return "the answer is not valid UTF-8";
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("jsonrpc", out var version) || version.GetString() != "2.0" || !root.TryGetProperty("id", out _))
            {
                return "not a JSON-RPC 2.0 answer";
            }

            var hasResult = root.TryGetProperty("result", out _);
            var hasError = root.TryGetProperty("error", out var error);
            if (hasResult == hasError)
            {
                return "neither or both of result and error";
            }

            if (hasError && (!DocumentedCodes.Contains(error.GetProperty("code").GetInt32()) || error.GetProperty("data").GetProperty("reason").ValueKind != JsonValueKind.String))
            {
                return "an undocumented error";
            }

            return null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "not valid JSON-RPC JSON (" + e.Message + ")";
        }
    }

    /// <summary>
    /// The oracle: a frame is owed an answer unless it is blank or a well-formed JSON object without an <c>id</c> member
    /// (a notification, which gets none when it is valid and an error when it is not).
    /// </summary>
    internal static bool AnswerRequired(byte[] frame)
    {
        ReadOnlySpan<byte> line = frame;
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Trim(" \t"u8).IsEmpty)
        {
            return false;
        }

        if (!Utf8.IsValid(line))
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(line.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.ValueKind != JsonValueKind.Object || document.RootElement.EnumerateObject().Any(p => p.NameEquals("id"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return true;
        }
    }

    private static string Describe(IReadOnlyList<GeneratedFrame> frames, int index, string batch, string problem)
    {
        var frame = frames[index].Bytes;
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "fuzz-failures", "frames");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{batch}-{index}.bin");
        File.WriteAllBytes(file, frame);
        return $"{problem}; frame saved as {file} (add it to tests/MfaHost.Tests/Fuzzing/Corpus/frames): {Convert.ToHexString(frame.AsSpan(0, Math.Min(frame.Length, 512)))}";
    }

    private static async Task<string?> HealthAsync(RunningHost host)
    {
        await using var connection = await ByteConnection.ConnectAsync(host.SocketPath);
        await connection.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"health"}""" + "\n");
        return (await connection.ReadAnswerAsync()).GetProperty("result").GetProperty("status").GetString();
    }

    private static async Task WaitForConnectionsClosedAsync(GatewaySocketServer server)
    {
        using var give = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (server.OpenConnections > 0)
        {
            await Task.Delay(20, give.Token);
        }
    }

    private static long ManagedMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
