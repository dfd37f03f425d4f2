using System.Collections.Concurrent;

namespace MfaHost.Pipeline;

/// <summary>
/// One request's cancellation, carrying its cause. The protocol layer makes one per request: it fires at
/// <c>request_timeout</c> by itself, or when the protocol layer calls <see cref="Cancel"/> with the cause (the connection
/// closed, the host stops). Every layer below gets only <see cref="Token"/>; whoever must answer or count a cancelled
/// request finds the cause with <see cref="Of"/>, and leaves the answer to <see cref="CancellationAnswers"/>.
/// </summary>
internal sealed class RequestCancellation : IDisposable
{
    private const int NoCause = -1;

    // The requests running now by their token: how a layer that only has the token learns the cause.
    private static readonly ConcurrentDictionary<CancellationToken, RequestCancellation> Running = new();

    private readonly CancellationTokenSource _source;
    private readonly TimeProvider _timeProvider;
    private readonly long _started;
    private int _cause = NoCause;
    private int _reported;

    public RequestCancellation(TimeSpan timeout, TimeProvider timeProvider)
    {
        Timeout = timeout;
        _timeProvider = timeProvider;
        _started = timeProvider.GetTimestamp();
        _source = new CancellationTokenSource(timeout, timeProvider);
        Token = _source.Token;
        Running[Token] = this;
    }

    public CancellationToken Token { get; }

    /// <summary>The request's <c>request_timeout</c>.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>How long the request has run.</summary>
    public TimeSpan Elapsed => _timeProvider.GetElapsedTime(_started);

    public bool IsCancellationRequested => _source.IsCancellationRequested;

    /// <summary>Null while the request may run; then the first cause named, or <see cref="CancellationCause.RequestTimeout"/> when nobody named one (the timer fired).</summary>
    public CancellationCause? Cause => !_source.IsCancellationRequested ? null
        : Volatile.Read(ref _cause) is var cause and not NoCause ? (CancellationCause)cause
        : CancellationCause.RequestTimeout;

    /// <summary>The request's cancellation by its token, while it runs; null for a token no request owns (a test's, a plugin's own).</summary>
    public static RequestCancellation? Of(CancellationToken token) => Running.TryGetValue(token, out var cancellation) ? cancellation : null;

    /// <summary>Cancels the request for <paramref name="cause"/>, unless it is cancelled already (the first cause stays).</summary>
    public void Cancel(CancellationCause cause)
    {
        if (_source.IsCancellationRequested)
        {
            return;
        }

        Interlocked.CompareExchange(ref _cause, (int)cause, NoCause);
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The request finished meanwhile.
        }
    }

    /// <summary>True the first time only: the cause of one request is logged once, whichever layer answers first.</summary>
    internal bool FirstReport() => Interlocked.Exchange(ref _reported, 1) == 0;

    public void Dispose()
    {
        Running.TryRemove(new KeyValuePair<CancellationToken, RequestCancellation>(Token, this));
        _source.Dispose();
    }
}
