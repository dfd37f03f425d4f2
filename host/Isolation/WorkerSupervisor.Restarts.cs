using MfaHost.Rpc;

namespace MfaHost.Isolation;

/// <summary>
/// When a worker is ended (it exited, closed its link, missed its heartbeat, held a cancelled call too long, or used too
/// much memory) and how the next one is started after a doubling back-off.
/// </summary>
internal sealed partial class WorkerSupervisor
{
    private async Task WatchAsync(WorkerProcess worker)
    {
        await Task.WhenAny(worker.Exited, worker.Peer.Completion);
        if (!worker.Exited.IsCompleted)
        {
            // The link closed first (the instance already answers plugin_unavailable): give the exit a moment to be seen, for its code.
            await Task.WhenAny(worker.Exited, Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, CancellationToken.None));
        }

        Fail(worker, worker.DescribeExit());
    }

    /// <summary>Stops serving requests with <paramref name="worker"/> (its link closed): the instance is restarting from now on.</summary>
    private void Detach(WorkerProcess worker, string reason)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_current, worker) && _stateNow != WorkerState.Stopped)
            {
                _current = null;
                _stateNow = WorkerState.Restarting;
                _lastExit = reason;
                worker.Detached = true;
            }
        }
    }

    /// <summary>Ends <paramref name="worker"/> for <paramref name="reason"/> and schedules the next one (unless stopping).</summary>
    private void Fail(WorkerProcess worker, string reason)
    {
        TimeSpan delay;
        lock (_lock)
        {
            if (_stateNow == WorkerState.Stopped || worker.Ended || !(ReferenceEquals(_current, worker) || worker.Detached))
            {
                return;
            }

            worker.Ended = true;
            worker.Detached = true;
            _current = null;
            _stateNow = WorkerState.Restarting;
            _lastExit = reason;
            if (_time.GetElapsedTime(_startedAt) >= HealthyAfter)
            {
                _backoff = FirstBackoff;
            }

            delay = _backoff;
            _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, LastBackoff.Ticks));
        }

        // The calls waiting on it are answered at once (plugin_unavailable), before the process is even gone.
        worker.Peer.Close(reason);
        worker.Kill();
        _ = worker.DisposeAsync().AsTask();
        IsolationLog.WorkerFailed(_logger, _name, worker.Pid, reason, delay);
        _ = RestartAfterAsync(delay);
    }

    private async Task RestartAfterAsync(TimeSpan delay)
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, _time, _stopping.Token);
                Interlocked.Increment(ref _restarts);
                var (worker, started) = await LaunchAsync(_stopping.Token);
                if (started.Error is null && started.ConfigurationError is null)
                {
                    Adopt(worker);
                    return;
                }

                await worker.StopAsync(StopGrace);
                await worker.DisposeAsync();
                var c = started.ConfigurationError;
                Retry(started.Error ?? $"{c!.FilePath}{(c.Line is { } line ? $":{line}" : string.Empty)}: [{c.Section}] {c.Option}: {c.Problem}", out delay);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (WorkerUnavailableException e)
            {
                Retry(e.Message, out delay);
            }
        }
    }

    private void Retry(string reason, out TimeSpan delay)
    {
        lock (_lock)
        {
            _lastExit = "the new worker failed: " + reason;
            delay = _backoff;
            _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, LastBackoff.Ticks));
        }

        IsolationLog.RestartFailed(_logger, _name, reason, delay);
    }

    private void Beat()
    {
        var worker = Volatile.Read(ref _current);
        if (worker is null)
        {
            return;
        }

        var silent = _time.GetElapsedTime(Interlocked.Read(ref _lastPong));
        if (silent >= HeartbeatTimeout)
        {
            Fail(worker, $"it missed its heartbeat (no answer for {silent.TotalSeconds:0} s)");
            return;
        }

        var abandoned = worker.Peer.OldestAbandonedCall();
        if (abandoned >= AbandonedCallGrace)
        {
            Fail(worker, $"a plugin call did not return {abandoned.TotalSeconds:0} s after it was cancelled");
            return;
        }

        if (_settings.MaxMemoryMegabytes is { } limit && worker.ResidentBytes() is { } resident && resident > (long)limit * 1024 * 1024)
        {
            Fail(worker, $"it used {resident / (1024 * 1024)} MB, more than max_memory_mb = {limit}");
            return;
        }

        if (Interlocked.Exchange(ref _pinging, 1) == 0)
        {
            _ = PingAsync(worker);
        }
    }

    private async Task PingAsync(WorkerProcess worker)
    {
        try
        {
            await worker.Peer.CallAsync(WorkerMethods.Ping, new Empty(), WorkerJsonContext.Default.Empty, WorkerJsonContext.Default.PingResult, _stopping.Token);
            Interlocked.Exchange(ref _lastPong, _time.GetTimestamp());
        }
        catch (Exception e) when (e is WorkerUnavailableException or RpcException or OperationCanceledException)
        {
        }
        finally
        {
            Volatile.Write(ref _pinging, 0);
        }
    }
}
