using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using MfaHost.Logging;
using MfaHost.Access;
using MfaHost.Protocol.Methods;
using MfaHost.Rpc;
using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol;

/// <summary>
/// One gateway connection: reads JSON Lines, starts every request at once (pipelined requests run
/// concurrently), and writes the answers as they finish, one writer at a time.
/// </summary>
/// <remarks>
/// <para>When the peer closes the connection, its requests are cancelled at once. When it only shuts down
/// its sending side (as <c>socat</c> does at the end of its input), the requests already sent are
/// answered first. When the host stops, requests are answered (DENY shutting_down if they had to be cancelled).</para>
/// <para>Bounded: at most <c>max_in_flight_per_connection</c> requests run or wait for their answer to be written;
/// at the limit the connection is not read until one is written (backpressure). <see cref="CheckTimeouts"/> (called by
/// the server's sweep) closes a connection idle for <c>connection_idle_timeout</c>, one whose answers are not read for
/// as long, and one that leaves a line unfinished for <c>frame_timeout</c>.</para>
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
    private readonly ConnectionLimits _limits;
    private readonly TimeProvider _time;
    private readonly LogThrottle _throttle;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationTokenSource _writeAbort = new();
    private readonly SemaphoreSlim _slots;
    private readonly Channel<Outgoing> _responses = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PipeReader? _reader;
    private int _pending;
    private volatile bool _readingDone;
    private long _requests;
    private long _lastActivity;
    private long _frameStarted;
    private long _writeStarted;
    private int _timeout;

    public GatewayConnection(long id, Socket socket, GatewayDispatcher dispatcher, ConnectionLimits limits, TimeProvider timeProvider, LogThrottle throttle, ILogger logger, CancellationToken hostAbort)
    {
        Id = id;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _dispatcher = dispatcher;
        _limits = limits;
        _time = timeProvider;
        _throttle = throttle;
        _logger = logger;
        _slots = new SemaphoreSlim(limits.MaxInFlight, limits.MaxInFlight);
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(hostAbort);
        _lastActivity = timeProvider.GetTimestamp();
        Peer = PeerCredentialReader.Read(socket);
    }

    public long Id { get; }

    public PeerCredentials Peer { get; }

    /// <summary>Requests running or with an answer waiting to be written.</summary>
    public int Outstanding => _limits.MaxInFlight - _slots.CurrentCount;

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
            // The host is stopping (or the connection was given up): requests still running were cancelled and are answered below.
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
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        await DisposeAsync();
        var requests = Interlocked.Read(ref _requests);
        ProtocolLog.ConnectionClosed(_logger, Id, requests);
    }

    /// <summary>Closes the connection at once (the host's shutdown deadline passed): reads and writes fail, requests are cancelled.</summary>
    public void Abort()
    {
        Cancel();
        CancelQuietly(_writeAbort);
        try
        {
            _socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes the connection when one of its timeouts has passed; called now and then by the server.</summary>
    public void CheckTimeouts()
    {
        if (Volatile.Read(ref _timeout) != 0)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var frameStarted = Volatile.Read(ref _frameStarted);
        var writeStarted = Volatile.Read(ref _writeStarted);
        ConnectionTimeout kind;
        if (frameStarted != 0 && _time.GetElapsedTime(frameStarted, now) >= _limits.FrameTimeout)
        {
            kind = ConnectionTimeout.Frame;
        }
        else if (writeStarted != 0 && _time.GetElapsedTime(writeStarted, now) >= _limits.IdleTimeout)
        {
            kind = ConnectionTimeout.AnswersNotRead;
        }
        else if (frameStarted == 0 && Outstanding == 0 && _time.GetElapsedTime(Volatile.Read(ref _lastActivity), now) >= _limits.IdleTimeout)
        {
            kind = ConnectionTimeout.Idle;
        }
        else
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _timeout, (int)kind, 0) != 0)
        {
            return;
        }

        if (kind == ConnectionTimeout.AnswersNotRead)
        {
            // Nothing can be written to a peer that does not read: drop its answers and close.
            if (_throttle.ShouldLog("answers_not_read:" + Peer.Uid, out var heldBack))
            {
                ProtocolLog.AnswersNotRead(_logger, Id, Peer, _limits.IdleTimeout, heldBack);
            }

            Abort();
            return;
        }

        try
        {
            _reader?.CancelPendingRead();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _cancellation.Dispose();
        _writeAbort.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 8192, minimumReadSize: 2048, leaveOpen: true));
        _reader = reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_cancellation.Token);
                if (result.IsCanceled)
                {
                    // Only CheckTimeouts cancels a pending read.
                    OnTimedOut();
                    return;
                }

                var buffer = result.Buffer;
                while (true)
                {
                    var status = JsonLineFraming.TryReadLine(ref buffer, _limits.MaxFrameBytes, out var line);
                    if (status == FrameStatus.Line)
                    {
                        Volatile.Write(ref _frameStarted, 0);

                        // Backpressure: at the limit, this connection is not read until an answer is written.
                        if (!_slots.Wait(0))
                        {
                            await _slots.WaitAsync(_cancellation.Token);
                        }

                        OnLine(line);
                        continue;
                    }

                    if (status == FrameStatus.TooLong)
                    {
                        if (_throttle.ShouldLog("frame_too_large:" + Peer.Uid, out var heldBack))
                        {
                            ProtocolLog.FrameTooLarge(_logger, Id, Peer, _limits.MaxFrameBytes, heldBack);
                        }

                        Answer(RpcRequestParser.NullId, new RpcError(RpcErrorCodes.InvalidRequest, $"Invalid request: the line is longer than {_limits.MaxFrameBytes} bytes (max_frame_bytes); closing the connection", ReasonWords.FrameTooLarge), counted: false);
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
                        if (!_slots.Wait(0))
                        {
                            await _slots.WaitAsync(_cancellation.Token);
                        }

                        OnLine(buffer);
                        buffer = buffer.Slice(buffer.End);
                    }

                    reader.AdvanceTo(buffer.End);
                    OnPeerEndOfStream();
                    return;
                }

                // The frame timeout runs from the first byte of an unfinished line.
                if (buffer.IsEmpty)
                {
                    Volatile.Write(ref _frameStarted, 0);
                }
                else if (Volatile.Read(ref _frameStarted) == 0)
                {
                    Volatile.Write(ref _frameStarted, _time.GetTimestamp());
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            _reader = null;
            await reader.CompleteAsync();
        }
    }

    private void OnTimedOut()
    {
        switch ((ConnectionTimeout)Volatile.Read(ref _timeout))
        {
            case ConnectionTimeout.Frame:
                if (_throttle.ShouldLog("frame_timeout:" + Peer.Uid, out var heldBack))
                {
                    ProtocolLog.FrameTimedOut(_logger, Id, Peer, _limits.FrameTimeout, heldBack);
                }

                Answer(RpcRequestParser.NullId, new RpcError(RpcErrorCodes.InvalidRequest, $"Invalid request: a line must arrive whole within {_limits.FrameTimeout.TotalSeconds} s of its first byte (frame_timeout); closing the connection", ReasonWords.FrameTimeout), counted: false);
                Cancel();
                break;
            case ConnectionTimeout.Idle:
                ProtocolLog.IdleClosed(_logger, Id, _limits.IdleTimeout);
                break;
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

    /// <summary>Handles one line; the caller took a slot for it, which is given back once the line is answered (or at once when there is nothing to answer).</summary>
    private void OnLine(ReadOnlySpan<byte> line)
    {
        if (line.Trim(" \t"u8).IsEmpty)
        {
            _slots.Release();
            return;
        }

        Interlocked.Increment(ref _requests);
        Touch();
        try
        {
            if (!RpcRequestParser.TryParse(line, out var request, out var parseError, out var errorId))
            {
                ProtocolLog.MalformedLine(_logger, Id, parseError!.Code, parseError.Reason);
                Answer(errorId, parseError, counted: true);
                return;
            }

            var refusal = _dispatcher.Admit(request!, Peer, Id, out var method);
            if (refusal is not null)
            {
                if (request!.Id is { } id)
                {
                    Answer(id, refusal, counted: true);
                }
                else
                {
                    _slots.Release();
                }

                return;
            }

            Interlocked.Increment(ref _pending);

            // On the thread pool: a plugin that blocks its thread must not stop this connection's reading.
            ThreadPool.UnsafeQueueUserWorkItem(new RequestWorkItem(this, method!, request!), preferLocal: false);
        }
        catch (Exception e)
        {
            // A bug must cost one answer, never the connection (nor leave the line unanswered).
            ProtocolLog.LineFailed(_logger, Id, e);
            Answer(RpcRequestParser.NullId, new RpcError(RpcErrorCodes.InternalError, "Internal error; the host's log has the details", ReasonWords.InternalError), counted: true);
        }
    }

    private async Task RunRequestAsync(IGatewayMethod method, RpcRequest request)
    {
        try
        {
            var response = await _dispatcher.RunAsync(method, request, Peer, Id, _cancellation.Token);
            if (response is not null)
            {
                Enqueue(new Outgoing(response, Counted: true));
            }
            else
            {
                _slots.Release();
            }
        }
        finally
        {
            Touch();
            if (Interlocked.Decrement(ref _pending) == 0 && _readingDone)
            {
                _idle.TrySetResult();
            }
        }
    }

    private void Answer(byte[] id, RpcError error, bool counted) => Enqueue(new Outgoing(RpcResponse.Failure(id, error), counted));

    private void Enqueue(Outgoing outgoing)
    {
        if (!_responses.Writer.TryWrite(outgoing) && outgoing.Counted)
        {
            _slots.Release();
        }
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    private void Cancel() => CancelQuietly(_cancellation);

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task WriteLoopAsync()
    {
        var output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));

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

                Volatile.Write(ref _writeStarted, _time.GetTimestamp());
                var flushed = await output.FlushAsync(_writeAbort.Token);
                Volatile.Write(ref _writeStarted, 0);
                Touch();
                if (written > 0)
                {
                    _slots.Release(written);
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
            ProtocolLog.ConnectionError(_logger, Id, e.Message);
            Cancel();
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
            ProtocolLog.AnswerNotEncodable(_logger, Id, e);
            scratch.ResetWrittenCount();
            json.Reset(scratch);
            RpcResponse.Failure(RpcRequestParser.NullId, new RpcError(RpcErrorCodes.InternalError, "Internal error; the host's log has the details", ReasonWords.InternalError)).WriteTo(json);
            json.Flush();
        }
    }

    private readonly record struct Outgoing(RpcResponse Response, bool Counted);

    private sealed class RequestWorkItem(GatewayConnection connection, IGatewayMethod method, RpcRequest request) : IThreadPoolWorkItem
    {
        public void Execute() => _ = connection.RunRequestAsync(method, request);
    }
}

/// <summary>The per-connection limits of <c>[host]</c>.</summary>
internal sealed record ConnectionLimits(int MaxFrameBytes, int MaxInFlight, TimeSpan IdleTimeout, TimeSpan FrameTimeout);

/// <summary>Why <see cref="GatewayConnection.CheckTimeouts"/> closed a connection.</summary>
internal enum ConnectionTimeout
{
    None,
    Idle,
    Frame,
    AnswersNotRead,
}
