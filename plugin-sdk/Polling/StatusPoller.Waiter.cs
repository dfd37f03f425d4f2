namespace MfaHost.PluginSdk;

// One waiting item.
public sealed partial class StatusPoller<TStatus>
{
    /// <summary>One waiting item: its timer, its completion, and the query it is in, if any.</summary>
    private sealed class Waiter(StatusPoller<TStatus> owner, string id, long started, TimeSpan timeout)
    {
        public StatusPoller<TStatus> Owner { get; } = owner;

        public string Id { get; } = id;

        public long Started { get; } = started;

        public TimeSpan Timeout { get; } = timeout;

        public TaskCompletionSource<TStatus?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        public ITimer? Timer { get; set; }

        public CancellationTokenSource? Query { get; set; }

        public bool Done { get; private set; }

        public void Cancel(CancellationToken token)
        {
            CancellationTokenSource? query = null;
            lock (this)
            {
                if (Done)
                {
                    return;
                }

                query = Query;
            }

            Finish(w => w.Completion.TrySetCanceled(token));

            // A query that asked only about this item is no longer wanted; a shared one goes on for the others.
            if (query is not null && Owner._options.MaxBatch == 1)
            {
                try
                {
                    query.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The query has just ended.
                }
            }
        }

        public void Finish(Action<Waiter> complete)
        {
            lock (this)
            {
                if (Done)
                {
                    return;
                }

                Done = true;
                Timer?.Dispose();
                Timer = null;
            }

            Interlocked.Decrement(ref Owner._waiting);
            Registration.Dispose();
            complete(this);
        }
    }
}
