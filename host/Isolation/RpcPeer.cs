using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using MfaHost.Rpc;

namespace MfaHost.Isolation;

/// <summary>
/// One end of the host ↔ worker link: JSON-RPC 2.0 over JSON Lines in both directions, with the gateway protocol's
/// framing (<see cref="JsonLineFraming"/>), request parser (<see cref="RpcRequestParser"/>) and answers
/// (<see cref="RpcResponse"/>); answers are read by <see cref="RpcAnswerParser"/>. Either side calls the other; calls are pipelined and matched to their answers by id.
/// A cancelled call sends the notification <c>cancel</c> with its id, which cancels the handler on the other side.
/// </summary>
/// <remarks>
/// The gateway side of the protocol only answers; this class adds what a caller needs (writing requests, reading
/// answers), which is why it is written here rather than reusing the gateway connection.
/// <para>This file is the link itself (reading lines, writing them one at a time, closing);
/// <c>RpcPeer.OutgoingCalls.cs</c> matches our calls to their answers, <c>RpcPeer.IncomingCalls.cs</c> serves the other side's.</para>
/// </remarks>
internal sealed partial class RpcPeer : IAsyncDisposable
{
    /// <summary>Serves one call from the other side; null is answered as an empty object (or nothing, for a notification).</summary>
    public delegate Task<RpcResult?> Handler(RpcRequest request, CancellationToken cancellationToken);

    private const int MaxFrameBytes = 16 * 1024 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly RpcResult EmptyResult = RpcResult.Of(new Empty(), WorkerJsonContext.Default.Empty);

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly Handler _handler;
    private readonly Action<string> _onBadLine;
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _incoming = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;
    private readonly CancellationTokenSource _closed = new();
    private Task _readLoop = Task.CompletedTask;
    private long _nextId;
    private string? _closeReason;

    public RpcPeer(Stream input, Stream output, Handler handler, Action<string> onBadLine)
    {
        _input = input;
        _output = output;
        _handler = handler;
        _onBadLine = onBadLine;
        _writer = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    /// <summary>Completes when the other side has closed the link (or it failed); <see cref="CloseReason"/> says why.</summary>
    public Task Completion => _readLoop;

    public string? CloseReason => Volatile.Read(ref _closeReason);

    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>Called once when the link closes, with the reason, before the calls waiting on it fail.</summary>
    public Action<string>? Closing { get; set; }

    /// <summary>Calls of ours still waiting for their answer.</summary>
    public int Pending => _pending.Count;

    public void Start() => _readLoop = Task.Run(ReadLoopAsync);

    /// <summary>Closes the link: calls waiting fail with <see cref="WorkerUnavailableException"/>, handlers running are cancelled.</summary>
    public void Close(string reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }

        Closing?.Invoke(reason);
        _closed.Cancel();
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var call))
            {
                call.TrySetException(Unavailable());
            }
        }

        foreach (var incoming in _incoming.Values)
        {
            CancelQuietly(incoming);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close("the link was closed");
        try
        {
            await _readLoop;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private WorkerUnavailableException Unavailable() => new($"the worker is not available ({CloseReason ?? "closed"})");

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_input, new StreamPipeReaderOptions(bufferSize: 16384, minimumReadSize: 4096, leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_closed.Token);
                var buffer = result.Buffer;
                while (true)
                {
                    var status = JsonLineFraming.TryReadLine(ref buffer, MaxFrameBytes, out var line);
                    if (status == FrameStatus.NeedMore)
                    {
                        break;
                    }

                    if (status == FrameStatus.TooLong)
                    {
                        Close($"the other side sent a line longer than {MaxFrameBytes} bytes");
                        return;
                    }

                    Dispatch(line.IsSingleSegment ? line.FirstSpan : line.ToArray());
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            Close("the other side closed the link");
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Close("reading failed: " + e.Message);
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private async Task WriteAsync(Action<Utf8JsonWriter> write)
    {
        try
        {
            await _writeLock.WaitAsync(_closed.Token);
        }
        catch (OperationCanceledException)
        {
            throw Unavailable();
        }

        try
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            write(_writer);
            _writer.Flush();
            _buffer.Write("\n"u8);
            await _output.WriteAsync(_buffer.WrittenMemory, _closed.Token);
            await _output.FlushAsync(_closed.Token);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException && e is not WorkerUnavailableException)
        {
            Close("writing failed: " + e.Message);
            throw Unavailable();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (AggregateException)
        {
            // A plugin's own callback threw; the call is cancelled regardless.
        }
    }
}
