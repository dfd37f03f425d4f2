using System.Text;
using System.Text.Json;
using MfaHost.Rpc;
using MfaHost.Tests.Protocol;
using MfaHost.Vocabulary;

namespace MfaHost.Tests.Hardening;

/// <summary>
/// Issue 13, "every frame gets an answer or a clean close": bytes that are not UTF-8 and escapes that are not Unicode,
/// anywhere in a frame, are answered -32700/-32600 (id null when the id cannot be trusted), and the connection keeps
/// serving. Raw bytes on a real socket.
/// </summary>
public class HostileFramingTests
{
    private const string Health = """{"jsonrpc":"2.0","id":"after","method":"health"}""";

    private static byte[] Bytes(params object[] parts)
    {
        var bytes = new List<byte>();
        foreach (var part in parts)
        {
            bytes.AddRange(part switch
            {
                string text => Encoding.UTF8.GetBytes(text),
                byte[] raw => raw,
                _ => throw new ArgumentException("string or byte[]", nameof(parts)),
            });
        }

        return [.. bytes, (byte)'\n'];
    }

    // Each case: the frame, the code answered, and the id answered (JSON text).
    private static IEnumerable<TestCaseData> Frames()
    {
        var ff = new byte[] { 0xFF };
        var overlong = new byte[] { 0xC0, 0x80 };
        var encodedSurrogate = new byte[] { 0xED, 0xA0, 0x80 };
        var truncated = new byte[] { 0xE2, 0x82 };
        yield return new TestCaseData(Bytes("""{"jsonrpc":"2.0","id":1,"method":"\ud800"}"""), RpcErrorCodes.InvalidRequest, "1").SetName("lone surrogate escaped in method");
        yield return new TestCaseData(Bytes("""{"jsonrpc":"2.0","id":1,"method":"\udc00x"}"""), RpcErrorCodes.InvalidRequest, "1").SetName("lone low surrogate escaped in method");
        yield return new TestCaseData(Bytes("""{"jsonrpc":"2.0","id":1,"method":"hea""", ff, "lth\"}"), RpcErrorCodes.ParseError, "null").SetName("raw 0xFF in method");
        yield return new TestCaseData(Bytes("{\"jsonrpc\":\"2.0\",\"id\":\"", ff, "\",\"method\":\"health\"}"), RpcErrorCodes.ParseError, "null").SetName("raw 0xFF in id");
        yield return new TestCaseData(Bytes("""{"jsonrpc":"2.0","id":"\ud800","method":"health"}"""), RpcErrorCodes.InvalidRequest, "null").SetName("lone surrogate escaped in id");
        yield return new TestCaseData(Bytes("""{"jsonrpc":"2.0","method":"health","id":"\ud800"}"""), RpcErrorCodes.InvalidRequest, "null").SetName("lone surrogate escaped in id after method");
        yield return new TestCaseData(Bytes("""{"jsonrpc":"2.0","id":7,"method":"authenticate","params":{"plugin":"p","session_id":"s","username":"\ud800"}}"""), RpcErrorCodes.InvalidRequest, "7").SetName("lone surrogate escaped in params");
        yield return new TestCaseData(Bytes("""{"jsonrpc":"2.0","id":7,"method":"authenticate","params":{"plugin":"p","session_id":"s","username":"a""", overlong, "\"}}"), RpcErrorCodes.ParseError, "null").SetName("overlong encoding in params");
        yield return new TestCaseData(Bytes("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"health\",\"params\":{\"x\":\"", encodedSurrogate, "\"}}"), RpcErrorCodes.ParseError, "null").SetName("surrogate encoded as UTF-8 in params");
        yield return new TestCaseData(Bytes("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"health\",\"x\":\"", truncated), RpcErrorCodes.ParseError, "null").SetName("truncated sequence at the end of the line");
        yield return new TestCaseData(Bytes("""{"jsonrpc":"2.0","id":8,"method":"health","\udfff":1}"""), RpcErrorCodes.InvalidRequest, "8").SetName("lone surrogate escaped in a member name");
        yield return new TestCaseData(Bytes("""{"jsonrpc":"2.0","id":8,"method":"health","extra":["a",{"b":"\ud800"}]}"""), RpcErrorCodes.InvalidRequest, "8").SetName("lone surrogate deep in an unknown member");
        yield return new TestCaseData(Bytes("""["\ud800"]"""), RpcErrorCodes.InvalidRequest, "null").SetName("lone surrogate in a batch");
        yield return new TestCaseData(Bytes(ff, ff, ff), RpcErrorCodes.ParseError, "null").SetName("nothing but invalid bytes");
    }

    [TestCaseSource(nameof(Frames))]
    public async Task A_frame_that_is_not_Unicode_is_answered_and_the_connection_keeps_serving(byte[] frame, int code, string id)
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        await using var connection = await ByteConnection.ConnectAsync(host.SocketPath);

        await connection.SendAsync(frame);
        await connection.SendAsync(Health + "\n");

        var answer = await connection.ReadAnswerAsync();
        Assert.That(answer.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(code), answer.ToString());
        Assert.That(answer.GetProperty("id").GetRawText(), Is.EqualTo(id));
        var after = await connection.ReadAnswerAsync();
        Assert.That(after.GetProperty("id").GetString(), Is.EqualTo("after"));
        Assert.That(after.GetProperty("result").GetProperty("status").GetString(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task A_valid_surrogate_pair_and_non_ASCII_text_are_accepted_and_echoed_as_valid_UTF8()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        await using var connection = await ByteConnection.ConnectAsync(host.SocketPath);

        await connection.SendAsync(Bytes("""{"jsonrpc":"2.0","id":"\ud83d\ude00 é","method":"authenticate","params":{"plugin":"p","session_id":"s","username":"ü\ud83d\ude00"}}"""));

        var answer = await connection.ReadAnswerAsync();
        Assert.That(answer.GetProperty("id").GetString(), Is.EqualTo("\U0001F600 é"));
        Assert.That(answer.GetProperty("result").GetProperty("verdict").GetString(), Is.EqualTo("ACCEPT"));
    }

    [Test]
    public async Task An_unknown_method_with_control_characters_and_a_cut_surrogate_pair_is_answered_as_valid_JSON()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        await using var connection = await ByteConnection.ConnectAsync(host.SocketPath);

        // 63 characters, then a pair: the message cuts the name at 64 characters, which must not split the pair.
        var method = "\\u001b[31m" + new string('a', 53) + "\\ud83d\\ude00";
        await connection.SendAsync(Bytes($$"""{"jsonrpc":"2.0","id":1,"method":"{{method}}"}"""));

        var answer = await connection.ReadAnswerAsync();
        Assert.That(answer.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(RpcErrorCodes.MethodNotFound));
        Assert.That(host.Logs.Where(l => l.Contains("aaaa")), Has.None.Contains("\u001b"), "control characters never reach the log raw");
    }

    [Test]
    public async Task Five_hundred_connections_of_hostile_frames_each_get_every_answer()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        var frames = Frames().Select(c => (byte[])c.Arguments[0]!).ToList();
        var tasks = Enumerable.Range(0, 500).Select(async i =>
        {
            await using var connection = await ByteConnection.ConnectAsync(host.SocketPath);
            var frame = frames[i % frames.Count];
            await connection.SendAsync([.. frame, .. Encoding.UTF8.GetBytes(Health + "\n")]);
            var first = await connection.ReadAnswerAsync();
            var second = await connection.ReadAnswerAsync();
            return first.TryGetProperty("error", out _) && second.GetProperty("id").GetString() == "after";
        });

        var results = await Task.WhenAll(tasks);

        Assert.That(results, Is.All.True);
    }

    [Test]
    public void The_parser_never_throws_on_a_line_of_any_bytes()
    {
        var random = new Random(13);
        var sample = Encoding.UTF8.GetBytes(Health);
        for (var i = 0; i < 20_000; i++)
        {
            var line = (byte[])sample.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                line[random.Next(line.Length)] = (byte)random.Next(256);
            }

            Assert.DoesNotThrow(() => RpcRequestParser.TryParse(line, out _, out _, out _), Convert.ToHexString(line));
            if (!RpcRequestParser.TryParse(line, out _, out _, out var errorId))
            {
                Assert.That(System.Text.Unicode.Utf8.IsValid(errorId), Is.True);
                using var _ = JsonDocument.Parse(errorId);
            }
        }
    }
}
