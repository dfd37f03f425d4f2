using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using MfaHost.Protocol;
using MfaHost.Protocol.Methods;
using MfaHost.Rpc;

namespace MfaHost.Benchmarks;

/// <summary>The per-request work of the protocol layer, without the socket: framing, decoding, encoding.</summary>
public class FramingBenchmarks
{
    private readonly byte[] _buffer = Encoding.UTF8.GetBytes(
        string.Concat(Enumerable.Range(0, 16).Select(i => LineDriver.AuthenticateLine("noop", 1, i) + "\n")));

    private readonly byte[] _line = Encoding.UTF8.GetBytes(LineDriver.AuthenticateLine("noop", 1, 42));
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly RpcResponse _response = RpcResponse.Success(
        "42"u8.ToArray(),
        RpcResult.Of(new AuthenticateResult { Verdict = "ACCEPT", Reason = "accepted", Message = string.Empty, MfaIdentity = "user1" }, GatewayJsonContext.Default.AuthenticateResult));

    [Benchmark(Description = "split 16 pipelined lines")]
    public int SplitLines()
    {
        var buffer = new ReadOnlySequence<byte>(_buffer);
        var count = 0;
        while (JsonLineFraming.TryReadLine(ref buffer, 65536, out _) == FrameStatus.Line)
        {
            count++;
        }

        return count;
    }

    [Benchmark(Description = "decode request envelope")]
    public bool ParseEnvelope() => RpcRequestParser.TryParse(_line, out _, out _, out _);

    [Benchmark(Description = "decode envelope + authenticate params")]
    public string? ParseParams()
    {
        if (!RpcRequestParser.TryParse(_line, out var request, out _, out _))
        {
            return null;
        }

        return new GatewayCall(request!.Method, request.Params, Access.PeerCredentials.Unknown).ReadParams(GatewayJsonContext.Default.AuthenticateParams).Plugin;
    }

    [Benchmark(Description = "encode authenticate answer")]
    public int WriteResponse()
    {
        _output.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_output);
        _response.WriteTo(writer);
        writer.Flush();
        return _output.WrittenCount;
    }
}
