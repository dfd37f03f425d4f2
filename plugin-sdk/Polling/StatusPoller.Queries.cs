namespace MfaHost.PluginSdk;

// Items falling due, gathered into batches within StatusPollerOptions.BatchWindow, and the queries that ask about them.
public sealed partial class StatusPoller<TStatus>
{
    private void FallDue(Waiter waiter)
    {
        if (_disposed.IsCancellationRequested)
        {
            waiter.Finish(w => w.Completion.TrySetCanceled(_disposed.Token));
            return;
        }

        if (waiter.Done)
        {
            return;
        }

        if (_options.MaxBatch == 1)
        {
            _ = QueryAsync([waiter]);
            return;
        }

        List<Waiter>? full = null;
        lock (_gate)
        {
            _due.Add(waiter);
            if (_due.Count >= _options.MaxBatch)
            {
                full = [.. _due];
                _due.Clear();
                _window?.Dispose();
                _window = null;
            }
            else
            {
                _window ??= _options.TimeProvider.CreateTimer(static state => ((StatusPoller<TStatus>)state!).FlushWindow(), this, _options.BatchWindow, Timeout.InfiniteTimeSpan);
            }
        }

        if (full is not null)
        {
            _ = QueryAsync(full);
        }
    }

    private void FlushWindow()
    {
        List<Waiter> due;
        lock (_gate)
        {
            _window?.Dispose();
            _window = null;
            due = [.. _due];
            _due.Clear();
        }

        foreach (var batch in due.Chunk(_options.MaxBatch))
        {
            _ = QueryAsync(batch);
        }
    }

    // Never throws: every outcome lands in the waiters' completions.
    private async Task QueryAsync(IReadOnlyList<Waiter> asked)
    {
        using var query = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        var live = new List<Waiter>(asked.Count);
        foreach (var waiter in asked)
        {
            lock (waiter)
            {
                if (!waiter.Done)
                {
                    waiter.Query = query;
                    live.Add(waiter);
                }
            }
        }

        if (live.Count == 0)
        {
            return;
        }

        IReadOnlyDictionary<string, TStatus> answers;
        try
        {
            answers = await _query([.. live.Select(w => w.Id)], query.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var waiter in live)
            {
                waiter.Finish(w =>
                {
                    if (e is OperationCanceledException && query.IsCancellationRequested)
                    {
                        w.Completion.TrySetCanceled(query.Token);
                    }
                    else
                    {
                        w.Completion.TrySetException(e);
                    }
                });
            }

            return;
        }

        foreach (var waiter in live)
        {
            lock (waiter)
            {
                waiter.Query = null;
            }

            if (!answers.TryGetValue(waiter.Id, out var status))
            {
                waiter.Finish(w => w.Completion.TrySetException(new MfaCommunicationError($"the service's status answer left out '{w.Id}'")));
            }
            else if (_isFinal(status))
            {
                waiter.Finish(w => w.Completion.TrySetResult(status));
            }
            else
            {
                Schedule(waiter, _options.Interval);
            }
        }
    }
}
