using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using MfaHost.Protocol.Access;
using MfaHost.Protocol.Methods;
using MfaHost.Protocol.Rpc;
using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol;

/// <summary>
/// One gateway connection: reads JSON Lines, starts every request at once (pipelined requests run
/// concurrently), and writes the answers as they finish, one writer at a time.
/// </summary>
/// <remarks>
/// When the peer closes the connection, its requests are cancelled at once. When it only shuts down
/// its sending side (as <c>socat</c> does at the end of its input), the requests already sent are
/// answered first. When the host stops, requests are answered (DENY timeout if they had to be cancelled).
/// </remarks>
internal sealed class GatewayConnection : IAsyncDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly GatewayDispatcher _dispatcher;
    private readonly int _maxFrameBytes;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cancellation;
    private readonly Channel<RpcResponse> _responses = Channel.CreateUnbounded<RpcResponse>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private volatile bool _readingDone;
    private long _requests;

    public GatewayConnection(long id, Socket socket, GatewayDispatcher dispatcher, int maxFrameBytes, ILogger logger, CancellationToken hostAbort)
    {
        Id = id;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _dispatcher = dispatcher;
        _maxFrameBytes = maxFrameBytes;
        _logger = logger;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(hostAbort);
        Peer = PeerCredentialReader.Read(socket);
    }

    public long Id { get; }

    public PeerCredentials Peer { get; }

    /// <summary>Serves the connection until it closes, every request is answered and the answers are written.</summary>
    public async Task RunAsync()
    {
        ProtocolLog.ConnectionOpened(_logger, Id, Peer);
        var writing = WriteLoopAsync();
        try
        {
            await ReadLoopAsync();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The host is stopping: requests still running were cancelled and are answered below.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            ProtocolLog.ConnectionError(_logger, Id, e.Message);
            Cancel();
        }

        _readingDone = true;
        if (Volatile.Read(ref _pending) == 0)
        {
            _idle.TrySetResult();
        }

        await _idle.Task;
        _responses.Writer.TryComplete();
        await writing;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        await DisposeAsync();
        var requests = Interlocked.Read(ref _requests);
        ProtocolLog.ConnectionClosed(_logger, Id, requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _cancellation.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 8192, minimumReadSize: 2048, leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_cancellation.Token);
                var buffer = result.Buffer;
                while (true)
                {
                    var status = JsonLineFraming.TryReadLine(ref buffer, _maxFrameBytes, out var line);
                    if (status == FrameStatus.Line)
                    {
                        OnLine(line);
                        continue;
                    }

                    if (status == FrameStatus.TooLong)
                    {
                        ProtocolLog.FrameTooLarge(_logger, Id, Peer, _maxFrameBytes);
                        Answer(RpcRequestParser.NullId, new RpcError(RpcErrorCodes.InvalidRequest, $"Invalid request: the line is longer than {_maxFrameBytes} bytes (max_frame_bytes); closing the connection", RpcReasons.FrameTooLarge));
                        reader.AdvanceTo(result.Buffer.End);
                        Cancel();
                        return;
                    }

                    break;
                }

                if (result.IsCompleted)
                {
                    // A last line without its line feed still counts.
                    if (!buffer.IsEmpty)
                    {
                        OnLine(buffer);
                        buffer = buffer.Slice(buffer.End);
                    }

                    reader.AdvanceTo(buffer.End);
                    OnPeerEndOfStream();
                    return;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private void OnPeerEndOfStream()
    {
        // A full close cancels the peer's requests at once; a shutdown of its sending side only lets them finish.
        if (PeerHangup.HasHungUp(_socket))
        {
            Cancel();
        }
    }

    private void OnLine(in ReadOnlySequence<byte> line)
    {
        if (line.IsSingleSegment)
        {
            OnLine(line.FirstSpan);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent((int)line.Length);
        try
        {
            line.CopyTo(rented);
            OnLine(rented.AsSpan(0, (int)line.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void OnLine(ReadOnlySpan<byte> line)
    {
        if (line.Trim(" \t"u8).IsEmpty)
        {
            return;
        }

        Interlocked.Increment(ref _requests);
        if (!RpcRequestParser.TryParse(line, out var request, out var parseError, out var errorId))
        {
            ProtocolLog.MalformedLine(_logger, Id, parseError!.Code, parseError.Reason);
            Answer(errorId, parseError);
            return;
        }

        var refusal = _dispatcher.Admit(request!, Peer, out var method);
        if (refusal is not null)
        {
            if (request!.Id is { } id)
            {
                Answer(id, refusal);
            }

            return;
        }

        Interlocked.Increment(ref _pending);

        // On the thread pool: a plugin that blocks its thread must not stop this connection's reading.
        ThreadPool.UnsafeQueueUserWorkItem(new RequestWorkItem(this, method!, request!), preferLocal: false);
    }

    private async Task RunRequestAsync(IGatewayMethod method, RpcRequest request)
    {
        try
        {
            var response = await _dispatcher.RunAsync(method, request, Peer, Id, _cancellation.Token);
            if (response is not null)
            {
                _responses.Writer.TryWrite(response);
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _pending) == 0 && _readingDone)
            {
                _idle.TrySetResult();
            }
        }
    }

    private void Answer(byte[] id, RpcError error) => _responses.Writer.TryWrite(RpcResponse.Failure(id, error));

    private void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task WriteLoopAsync()
    {
        var output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        var json = new Utf8JsonWriter(output, WriterOptions);
        var responses = _responses.Reader;
        try
        {
            while (await responses.WaitToReadAsync())
            {
                while (responses.TryRead(out var response))
                {
                    response.WriteTo(json);
                    json.Flush();
                    json.Reset();
                    output.Write("\n"u8);
                }

                var flushed = await output.FlushAsync();
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The peer is gone: nobody is left to answer, so its requests stop.
            ProtocolLog.ConnectionError(_logger, Id, e.Message);
            Cancel();
        }
        finally
        {
            _responses.Writer.TryComplete();
            await json.DisposeAsync();
            await output.CompleteAsync();
        }

        // Drop whatever was answered after the peer went away.
        while (responses.TryRead(out _))
        {
        }
    }

    private sealed class RequestWorkItem(GatewayConnection connection, IGatewayMethod method, RpcRequest request) : IThreadPoolWorkItem
    {
        public void Execute() => _ = connection.RunRequestAsync(method, request);
    }
}
