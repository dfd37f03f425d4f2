namespace MfaHost.PluginSdk;

/// <summary>
/// Waits for many items (push transactions, for example) to reach a final status at a service that has to
/// be asked, at little cost per waiting item: a waiting item is a timer and a small state object, no thread
/// and no request held open. Queries are spread over the interval (jitter) instead of fired together, and,
/// when the service offers a batch status query, the items due at about the same time share one query
/// (<see cref="StatusPollerOptions.MaxBatch"/>). The HTTP client's connection pool bounds the queries in flight.
/// </summary>
/// <typeparam name="TStatus">The service's status of one item.</typeparam>
/// <remarks>
/// When a waiter's token is cancelled (the gateway gave up or disconnected) the item leaves the poller at
/// once: its timer is disposed, it is in no later query, and a query that asked only about it is cancelled.
/// A query that throws ends the wait of every item it asked about with that exception.
/// <para><c>StatusPoller.Queries.cs</c> batches due items and queries the service; <c>StatusPoller.Waiter.cs</c> is one waiting item.</para>
/// </remarks>
/// <example>
/// <code>
/// _poller = new StatusPoller&lt;PushStatus&gt;(
///     new StatusPollerOptions { Interval = pollInterval, TimeProvider = context.TimeProvider },
///     async (txids, token) => new Dictionary&lt;string, PushStatus&gt; { [txids[0]] = await api.GetStatusAsync(txids[0], token) },
///     status => status != PushStatus.Waiting);
/// ...
/// PushStatus? status = await _poller.WaitAsync(txid, pushTimeout, cancellationToken); // null: no decision in time
/// </code>
/// </example>
public sealed partial class StatusPoller<TStatus> : IAsyncDisposable
    where TStatus : struct
{
    private readonly StatusPollerOptions _options;
    private readonly Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyDictionary<string, TStatus>>> _query;
    private readonly Func<TStatus, bool> _isFinal;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private readonly List<Waiter> _due = [];
    private ITimer? _window;
    private int _waiting;

    /// <summary>Creates a poller.</summary>
    /// <param name="options">Interval, batching and clock.</param>
    /// <param name="query">
    /// Asks the service about some items (never more than <see cref="StatusPollerOptions.MaxBatch"/>, never
    /// none) and returns the status of each; an item left out ends its wait with <see cref="MfaCommunicationError"/>.
    /// Throw the SDK's failures (see <see cref="HttpFailureClassifier"/>) for a failed query.
    /// </param>
    /// <param name="isFinal">Whether a status ends the wait (approved, denied, ...) or means "ask again later".</param>
    public StatusPoller(
        StatusPollerOptions options,
        Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyDictionary<string, TStatus>>> query,
        Func<TStatus, bool> isFinal)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(isFinal);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatch, 1);
        _options = options;
        _query = query;
        _isFinal = isFinal;
    }

    /// <summary>How many items are waiting now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Waits until the service reports a final status for <paramref name="id"/>, or until
    /// <paramref name="timeout"/> has passed (then null; the last query is made when the timeout ends).
    /// </summary>
    /// <param name="id">The item, as the query knows it.</param>
    /// <param name="timeout">How long to wait for a final status.</param>
    /// <param name="cancellationToken">Ends the wait at once (<see cref="OperationCanceledException"/>) and stops the item's queries.</param>
    public Task<TStatus?> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        cancellationToken.ThrowIfCancellationRequested();
        var time = _options.TimeProvider;
        var waiter = new Waiter(this, id, time.GetTimestamp(), timeout);
        Interlocked.Increment(ref _waiting);
        waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
        // Items parked together are first asked about at different times.
        Schedule(waiter, _options.Interval * (0.5 + (Random.Shared.NextDouble() / 2)));
        return waiter.Completion.Task;
    }

    /// <summary>Ends every wait (<see cref="OperationCanceledException"/>) and cancels the queries in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _window?.Dispose();
            foreach (var waiter in _due)
            {
                waiter.Finish(w => w.Completion.TrySetCanceled(_disposed.Token));
            }

            _due.Clear();
        }
    }

    // Waits min(wait, time left) before the next query; with no time left the wait ends without a status.
    private void Schedule(Waiter waiter, TimeSpan wait)
    {
        var left = waiter.Timeout - _options.TimeProvider.GetElapsedTime(waiter.Started);
        if (left <= TimeSpan.Zero)
        {
            waiter.Finish(w => w.Completion.TrySetResult(null));
            return;
        }

        lock (waiter)
        {
            if (waiter.Done)
            {
                return;
            }

            waiter.Timer?.Dispose();
            waiter.Timer = _options.TimeProvider.CreateTimer(static state => ((Waiter)state!).Owner.FallDue((Waiter)state!), waiter, left < wait ? left : wait, Timeout.InfiniteTimeSpan);
        }
    }
}
