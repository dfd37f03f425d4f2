using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MfaHost.Rpc;

namespace MfaHost.Isolation;

/// <summary>Our calls to the other side: written with an id, matched to their answers, told to stop when the caller gives up.</summary>
internal sealed partial class RpcPeer
{
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

        RpcAnswer answer;
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

    private sealed class PendingCall() : TaskCompletionSource<RpcAnswer>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long CancelledAt { get; set; }
    }
}
