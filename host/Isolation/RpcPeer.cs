using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MfaHost.Protocol;
using MfaHost.Rpc;

namespace MfaHost.Isolation;

/// <summary>
/// One end of the host ↔ worker link: JSON-RPC 2.0 over JSON Lines in both directions, with the gateway protocol's
/// framing (<see cref="JsonLineFraming"/>), request parser (<see cref="RpcRequestParser"/>) and answers
/// (<see cref="RpcResponse"/>). Either side calls the other; calls are pipelined and matched to their answers by id.
/// A cancelled call sends the notification <c>cancel</c> with its id, which cancels the handler on the other side.
/// </summary>
/// <remarks>
/// The gateway side of the protocol only answers; this class adds what a caller needs (writing requests, reading
/// answers), which is why it is written here rather than reusing the gateway connection.
/// </remarks>
internal sealed class RpcPeer : IAsyncDisposable
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

    /// <summary>
    /// Calls <paramref name="method"/> on the other side. Throws <see cref="RpcException"/> for an error answer,
    /// <see cref="WorkerUnavailableException"/> when the link is or gets closed, and <see cref="OperationCanceledException"/>
    /// at once when <paramref name="cancellationToken"/> fires (the other side is told to stop).
    /// </summary>
    public async Task<TResult> CallAsync<TParams, TResult>(
        string method, TParams parameters, JsonTypeInfo<TParams> parametersType, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var id = Interlocked.Increment(ref _nextId);
        var call = new PendingCall();
        _pending[id] = call;
        if (IsClosed)
        {
            _pending.TryRemove(id, out _);
            throw Unavailable();
        }

        try
        {
            await WriteAsync(w => WriteRequest(w, id, method, parameters, parametersType));
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }

        Answer answer;
        try
        {
            answer = await call.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The call stays pending until the other side answers it: a call that never does is how a hung plugin shows.
            call.CancelledAt = Environment.TickCount64;
            _ = NotifyQuietlyAsync(WorkerMethods.Cancel, new CancelParams(id), WorkerJsonContext.Default.CancelParams);
            throw;
        }

        if (answer.Error is { } error)
        {
            throw new RpcException(error.Code, error.Message, error.Reason);
        }

        return JsonSerializer.Deserialize(answer.Result, resultType)
            ?? throw new RpcException(RpcErrorCodes.InternalError, $"{method}: the answer has no result", ReasonWords.InternalError);
    }

    /// <summary>Sends a notification (no answer); throws <see cref="WorkerUnavailableException"/> when the link is closed.</summary>
    public Task NotifyAsync<TParams>(string method, TParams parameters, JsonTypeInfo<TParams> parametersType) =>
        WriteAsync(w => WriteRequest(w, null, method, parameters, parametersType));

    /// <summary>How long the oldest call the caller gave up on has gone unanswered since; zero when there is none.</summary>
    public TimeSpan OldestAbandonedCall()
    {
        var oldest = 0L;
        foreach (var call in _pending.Values)
        {
            var at = call.CancelledAt;
            if (at != 0 && (oldest == 0 || at < oldest))
            {
                oldest = at;
            }
        }

        return oldest == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Environment.TickCount64 - oldest);
    }

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

    private void Dispatch(ReadOnlySpan<byte> line)
    {
        if (TryReadAnswer(line, out var id, out var answer))
        {
            if (_pending.TryRemove(id, out var call))
            {
                call.TrySetResult(answer);
            }

            return;
        }

        if (!RpcRequestParser.TryParse(line, out var request, out var error, out _))
        {
            _onBadLine(error!.Message);
            return;
        }

        if (request!.Method == WorkerMethods.Cancel)
        {
            if (ReadCancel(request) is { } key && _incoming.TryGetValue(key, out var incoming))
            {
                CancelQuietly(incoming);
            }

            return;
        }

        if (request.IsNotification)
        {
            // Inline, in order (log lines keep theirs); notification handlers do not block.
            var task = _handler(request, _closed.Token);
            if (!task.IsCompleted)
            {
                _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            return;
        }

        _ = Task.Run(() => ServeAsync(request));
    }

    private async Task ServeAsync(RpcRequest request)
    {
        var key = Encoding.UTF8.GetString(request.Id!);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        _incoming[key] = cancellation;
        RpcResponse response;
        try
        {
            var result = await _handler(request, cancellation.Token);
            response = RpcResponse.Success(request.Id!, result ?? EmptyResult);
        }
        catch (RpcException e)
        {
            response = RpcResponse.Failure(request.Id!, e.ToError());
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            response = RpcResponse.Failure(request.Id!, new RpcError(RpcErrorCodes.InternalError, "cancelled", WorkerErrors.Cancelled));
        }
#pragma warning disable CA1031 // Whatever a handler throws is answered; the handlers map the failures they expect.
        catch (Exception e)
#pragma warning restore CA1031
        {
            response = RpcResponse.Failure(request.Id!, new RpcError(RpcErrorCodes.InternalError, e.GetType().Name, ReasonWords.InternalError));
        }
        finally
        {
            _incoming.TryRemove(key, out _);
        }

        try
        {
            await WriteAsync(response.WriteTo);
        }
        catch (WorkerUnavailableException)
        {
            // The link closed: nobody waits for this answer any more.
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

    private async Task NotifyQuietlyAsync<TParams>(string method, TParams parameters, JsonTypeInfo<TParams> parametersType)
    {
        try
        {
            await NotifyAsync(method, parameters, parametersType);
        }
        catch (WorkerUnavailableException)
        {
        }
    }

    private static void WriteRequest<TParams>(Utf8JsonWriter writer, long? id, string method, TParams parameters, JsonTypeInfo<TParams> parametersType)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc"u8, "2.0"u8);
        if (id is { } value)
        {
            writer.WriteNumber("id"u8, value);
        }

        writer.WriteString("method"u8, method);
        writer.WritePropertyName("params"u8);
        JsonSerializer.Serialize(writer, parameters, parametersType);
        writer.WriteEndObject();
    }

    private static string? ReadCancel(RpcRequest request)
    {
        try
        {
            return request.Params is { } json && JsonSerializer.Deserialize(json, WorkerJsonContext.Default.CancelParams) is { } cancel
                ? cancel.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads an answer (a line with a numeric id and a result or an error, and no method); false for anything else.</summary>
    internal static bool TryReadAnswer(ReadOnlySpan<byte> line, out long id, out Answer answer)
    {
        id = 0;
        answer = default;
        var hasId = false;
        byte[]? result = null;
        RpcError? error = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("method"u8))
                {
                    return false;
                }

                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    hasId = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out id);
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("result"u8))
                {
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    result = line[start..(int)reader.BytesConsumed].ToArray();
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    error = ReadError(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (!hasId || (result is null && error is null))
        {
            return false;
        }

        answer = new Answer(result ?? "null"u8.ToArray(), error);
        return true;
    }

    private static RpcError ReadError(ref Utf8JsonReader reader)
    {
        var code = RpcErrorCodes.InternalError;
        var message = string.Empty;
        var reason = ReasonWords.InternalError;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new RpcError(code, message, reason);
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number)
                {
                    code = reader.GetInt32();
                }
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString()! : message;
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isReason = reader.ValueTextEquals("reason"u8);
                    reader.Read();
                    if (isReason && reader.TokenType == JsonTokenType.String)
                    {
                        reason = reader.GetString()!;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new RpcError(code, message, reason);
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

    internal readonly record struct Answer(byte[] Result, RpcError? Error);

    private sealed class PendingCall() : TaskCompletionSource<Answer>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long CancelledAt { get; set; }
    }
}
