using System.Text;
using System.Text.Json;
using MfaHost.Rpc;

namespace MfaHost.Isolation;

/// <summary>Lines from the other side: answers to our calls, its calls to us (each served on the thread pool), its notifications and cancels.</summary>
internal sealed partial class RpcPeer
{
    private void Dispatch(ReadOnlySpan<byte> line)
    {
        if (RpcAnswerParser.TryRead(line, out var id, out var answer))
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
}
