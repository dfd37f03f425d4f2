using System.Buffers;
using MfaHost.Protocol.Methods;
using MfaHost.Rpc;

namespace MfaHost.Protocol;

/// <summary>The request side of a connection: each line parsed, admitted by the dispatcher and run on the thread pool.</summary>
internal sealed partial class GatewayConnection
{
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
        _activity.Touch();
        try
        {
            if (!RpcRequestParser.TryParse(line, out var request, out var parseError, out var errorId))
            {
                ProtocolLog.MalformedLine(_logger, Id, parseError!.Code, parseError.Reason);
                _answers.Answer(errorId, parseError, counted: true);
                return;
            }

            var refusal = _dispatcher.Admit(request!, Peer, out var method);
            if (refusal is not null)
            {
                if (request!.Id is { } id)
                {
                    _answers.Answer(id, refusal, counted: true);
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
            _answers.Answer(RpcRequestParser.NullId, new RpcError(RpcErrorCodes.InternalError, "Internal error; the host's log has the details", ReasonWords.InternalError), counted: true);
        }
    }

    private async Task RunRequestAsync(IGatewayMethod method, RpcRequest request)
    {
        try
        {
            var response = await _dispatcher.RunAsync(method, request, Peer, Id, _cancellation.Token);
            if (response is not null)
            {
                _answers.Enqueue(response, counted: true);
            }
            else
            {
                _slots.Release();
            }
        }
        finally
        {
            _activity.Touch();
            if (Interlocked.Decrement(ref _pending) == 0 && _readingDone)
            {
                _idle.TrySetResult();
            }
        }
    }

    private sealed class RequestWorkItem(GatewayConnection connection, IGatewayMethod method, RpcRequest request) : IThreadPoolWorkItem
    {
        public void Execute() => _ = connection.RunRequestAsync(method, request);
    }
}
