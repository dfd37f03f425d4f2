using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using MfaHost.Rpc;
using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol;

/// <summary>
/// Writes one connection's answers as JSON Lines in the order they finish, one writer at a time, and gives back the
/// connection's in-flight slot of every counted answer once it is flushed (the other half of the backpressure).
/// </summary>
internal sealed class ConnectionAnswerWriter(
    long connectionId,
    Stream stream,
    SemaphoreSlim slots,
    ConnectionActivity activity,
    Action peerGone,
    ILogger logger,
    CancellationToken writeAbort)
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly Channel<Outgoing> _responses = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues an error answer; a counted one holds a slot until written.</summary>
    public void Answer(byte[] id, RpcError error, bool counted) => Enqueue(RpcResponse.Failure(id, error), counted);

    /// <summary>Queues an answer; a counted one holds a slot until written (given back at once when the writer has stopped).</summary>
    public void Enqueue(RpcResponse response, bool counted)
    {
        if (!_responses.Writer.TryWrite(new Outgoing(response, counted)) && counted)
        {
            slots.Release();
        }
    }

    /// <summary>No more answers: the writer ends once the queued ones are written.</summary>
    public void Complete() => _responses.Writer.TryComplete();

    /// <summary>Writes answers until <see cref="Complete"/> or until the peer is gone (then <c>peerGone</c> is called).</summary>
    public async Task RunAsync()
    {
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));

        // Each answer is written to a scratch buffer first, so that one that cannot be encoded is replaced whole.
        var scratch = new ArrayBufferWriter<byte>(1024);
        var json = new Utf8JsonWriter(scratch, WriterOptions);
        var responses = _responses.Reader;
        try
        {
            while (await responses.WaitToReadAsync())
            {
                var written = 0;
                while (responses.TryRead(out var outgoing))
                {
                    Encode(outgoing.Response, scratch, json);
                    output.Write(scratch.WrittenSpan);
                    output.Write("\n"u8);
                    written += outgoing.Counted ? 1 : 0;
                }

                activity.WriteStarted();
                var flushed = await output.FlushAsync(writeAbort);
                activity.WriteFinished();
                activity.Touch();
                if (written > 0)
                {
                    slots.Release(written);
                }

                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer is gone (or does not read): nobody is left to answer, so its requests stop.
            ProtocolLog.ConnectionError(logger, connectionId, e.Message);
            peerGone();
        }
        finally
        {
            _responses.Writer.TryComplete();
            await json.DisposeAsync();
            try
            {
                await output.CompleteAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }

        // Drop whatever was answered after the peer went away.
        while (responses.TryRead(out _))
        {
        }
    }

    private void Encode(RpcResponse response, ArrayBufferWriter<byte> scratch, Utf8JsonWriter json)
    {
        scratch.ResetWrittenCount();
        json.Reset(scratch);
        try
        {
            response.WriteTo(json);
            json.Flush();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // For example a message holding a lone surrogate: the answer must stay valid UTF-8 JSON.
            ProtocolLog.AnswerNotEncodable(logger, connectionId, e);
            scratch.ResetWrittenCount();
            json.Reset(scratch);
            RpcResponse.Failure(RpcRequestParser.NullId, new RpcError(RpcErrorCodes.InternalError, "Internal error; the host's log has the details", ReasonWords.InternalError)).WriteTo(json);
            json.Flush();
        }
    }

    private readonly record struct Outgoing(RpcResponse Response, bool Counted);
}
