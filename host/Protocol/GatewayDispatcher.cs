using System.Collections.Frozen;
using System.Globalization;
using MfaHost.Configuration;
using MfaHost.Logging;
using MfaHost.Metrics;
using MfaHost.Access;
using MfaHost.Pipeline;
using MfaHost.Protocol.Methods;
using MfaHost.Rpc;
using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol;

/// <summary>
/// Serves decoded requests: finds the method, asks the access policy, applies <c>max_in_flight</c>,
/// runs the method under the request timeout, and turns failures into JSON-RPC errors. Counts the
/// requests it runs, so shutdown can wait for them. Each request's <see cref="RequestCancellation"/> starts here and
/// carries why it was cancelled; what that becomes on the wire is <see cref="CancellationAnswers"/>' business.
/// </summary>
internal sealed class GatewayDispatcher
{
    private readonly FrozenDictionary<string, IGatewayMethod> _methods;
    private readonly AccessPolicy _accessPolicy;
    private readonly InFlightRequests _inFlight;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ShutdownState _shutdown;
    private readonly LogThrottle _throttle;
    private readonly ILogger _logger;
    private readonly HostMetrics? _metrics;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private volatile bool _stopping;

    public GatewayDispatcher(
        IEnumerable<IGatewayMethod> methods,
        AccessPolicy accessPolicy,
        InFlightRequests inFlight,
        HostSettings settings,
        TimeProvider timeProvider,
        ShutdownState shutdown,
        LogThrottle throttle,
        ILoggerFactory loggerFactory,
        HostMetrics? metrics = null)
    {
        _shutdown = shutdown;
        _throttle = throttle;
        _methods = methods.ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);
        _accessPolicy = accessPolicy;
        _inFlight = inFlight;
        _requestTimeout = settings.RequestTimeout;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger("MfaHost.Protocol");
        _metrics = metrics;
    }

    /// <summary>The method names served.</summary>
    public IEnumerable<string> MethodNames => _methods.Keys;

    /// <summary>Requests admitted and not yet finished.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Completes when no request runs any more after <see cref="StopAdmitting"/>.</summary>
    public Task Drained => _drained.Task;

    /// <summary>
    /// The checks made at once, before a request runs. Null with <paramref name="method"/> set: admitted,
    /// and <see cref="RunAsync"/> must follow exactly once. Otherwise the error to answer.
    /// </summary>
    public RpcError? Admit(RpcRequest request, PeerCredentials peer, long connection, out IGatewayMethod? method)
    {
        if (!_methods.TryGetValue(request.Method, out method))
        {
            return new RpcError(RpcErrorCodes.MethodNotFound, $"Method not found: '{Printable(request.Method)}'", ReasonWords.UnknownMethod);
        }

        var decision = _accessPolicy.Authorize(peer, request.Method);
        if (!decision.Allowed)
        {
            var uid = peer.IsKnown ? peer.Uid.ToString(CultureInfo.InvariantCulture) : "unknown";
            if (_throttle.ShouldLog("call_refused:" + uid, out var heldBack))
            {
                ProtocolLog.CallRefused(
                    _logger,
                    uid,
                    peer.IsKnown ? peer.Gid.ToString(CultureInfo.InvariantCulture) : "unknown",
                    peer.Pid,
                    request.Method,
                    decision.Reason);
                if (heldBack > 0)
                {
                    ProtocolLog.WarningsHeldBack(_logger, heldBack, "call_refused:" + uid, _throttle.Interval);
                }
            }

            method = null;
            return new RpcError(RpcErrorCodes.Forbidden, $"Forbidden: {decision.Message}", decision.Reason);
        }

        Interlocked.Increment(ref _running);
        var refused = _stopping ? CancellationCause.ShuttingDown
            : method.CountsTowardLimit && !_inFlight.TryEnter() ? CancellationCause.Overloaded
            : (CancellationCause?)null;
        if (refused is { } cause)
        {
            Leave();
            method = null;
            return CancellationAnswers.AnswerCall(_logger, cause, null, request.Method, connection, TimeSpan.Zero, _requestTimeout);
        }

        return null;
    }

    /// <summary>Runs an admitted request; null when nothing is to be answered (a notification).</summary>
    public async Task<RpcResponse?> RunAsync(IGatewayMethod method, RpcRequest request, PeerCredentials peer, long connection, CancellationToken connectionToken)
    {
        var started = _timeProvider.GetTimestamp();
        using var cancellation = new RequestCancellation(_requestTimeout, _timeProvider);
        using var closed = connectionToken.UnsafeRegister(
            static state =>
            {
                var (dispatcher, cancellation) = ((GatewayDispatcher, RequestCancellation))state!;
                cancellation.Cancel(dispatcher.CauseOfClosing);
            },
            (this, cancellation));
        RpcResponse? response;
        try
        {
            ProtocolLog.Request(_logger, request.Method, connection);
            var result = await method.InvokeAsync(new GatewayCall(request.Method, request.Params, peer), cancellation.Token);
            response = request.Id is { } id ? RpcResponse.Success(id, result) : null;
        }
        catch (RpcException e)
        {
            response = request.Id is { } id ? RpcResponse.Failure(id, e.ToError()) : null;
        }
        catch (OperationCanceledException) when (cancellation.Cause is { } cause)
        {
            var error = CancellationAnswers.AnswerCall(_logger, cause, cancellation, request.Method, connection, cancellation.Elapsed, _requestTimeout);
            response = request.Id is { } id ? RpcResponse.Failure(id, error) : null;
        }
        catch (MfaHost.State.StateUnavailableException e)
        {
            ProtocolLog.RequestFailed(_logger, request.Method, connection, e);
            response = request.Id is { } id
                ? RpcResponse.Failure(id, new RpcError(RpcErrorCodes.InternalError, "The host's state store is unavailable; try again later", ReasonWords.StateUnavailable))
                : null;
        }
        catch (Exception e)
        {
            // The exception (with its stack) goes to the log only: its message is not the gateway's business and might hold anything.
            ProtocolLog.RequestFailed(_logger, request.Method, connection, e);
            response = request.Id is { } id
                ? RpcResponse.Failure(id, new RpcError(RpcErrorCodes.InternalError, "Internal error; the host's log has the details", ReasonWords.InternalError))
                : null;
        }
        finally
        {
            if (method.CountsTowardLimit)
            {
                _inFlight.Exit();
            }

            Leave();
            _metrics?.RequestCompleted(request.Method, _timeProvider.GetElapsedTime(started));
        }

        return response;
    }

    // The connection's token fires when the connection closes, and for every connection when the host stops.
    private CancellationCause CauseOfClosing => _shutdown.IsStopping ? CancellationCause.ShuttingDown : CancellationCause.GatewayGone;

    /// <summary>From now on every request is refused with -32002 <c>shutting_down</c>.</summary>
    public void StopAdmitting()
    {
        _stopping = true;
        if (Volatile.Read(ref _running) == 0)
        {
            _drained.TrySetResult();
        }
    }

    private void Leave()
    {
        if (Interlocked.Decrement(ref _running) == 0 && _stopping)
        {
            _drained.TrySetResult();
        }
    }

    private static string Printable(string method) => LogText.Truncate(method, 64);
}
