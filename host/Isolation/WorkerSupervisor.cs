using System.Text.Json.Serialization.Metadata;
using MfaHost.Rpc;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Logging;
using MfaHost.Configuration;

namespace MfaHost.Isolation;

/// <summary>What an isolated instance's worker is doing now.</summary>
internal enum WorkerState
{
    Starting,
    Running,
    Restarting,
    Stopped,
}

/// <summary>
/// Keeps one isolated instance's worker process alive. A worker that exits, is killed, misses its heartbeat, holds a call
/// it was told to cancel for too long, or goes beyond <c>max_memory_mb</c> is ended; the calls waiting on it fail at once
/// (the instance answers DENY <c>plugin_unavailable</c>) and a new worker is started after a back-off that doubles from
/// 1 s to 60 s and starts over once a worker has run for a minute. Serves the worker's own calls (log lines, state).
/// </summary>
internal sealed partial class WorkerSupervisor : IAsyncDisposable
{
    internal static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan AbandonedCallGrace = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan LastBackoff = TimeSpan.FromSeconds(60);
    internal static readonly TimeSpan HealthyAfter = TimeSpan.FromMinutes(1);
    internal static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    internal static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly string _configPath;
    private readonly string _name;
    private readonly IsolationSettings _settings;
    private readonly IStateStore _state;
    private readonly ILogger _pluginLogger;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim? _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private ITimer? _heartbeat;
    private WorkerProcess? _current;
    private WorkerState _stateNow = WorkerState.Starting;
    private string? _lastExit;
    private TimeSpan _backoff = FirstBackoff;
    private long _startedAt;
    private long _lastPong;
    private int _restarts;
    private int _pinging;

    public WorkerSupervisor(string configPath, string name, IsolationSettings settings, IStateStore state, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        _configPath = configPath;
        _name = name;
        _settings = settings;
        _state = state;
        _pluginLogger = loggerFactory.CreateLogger($"MfaHost.Plugins.{name}");
        _logger = loggerFactory.CreateLogger("MfaHost.Isolation");
        _time = timeProvider;
        _slots = settings.MaxConcurrency is { } limit ? new SemaphoreSlim(limit, limit) : null;
    }

    public WorkerState State
    {
        get
        {
            lock (_lock)
            {
                return _stateNow;
            }
        }
    }

    /// <summary>Why the last worker ended; null while none has.</summary>
    public string? LastExitReason
    {
        get
        {
            lock (_lock)
            {
                return _lastExit;
            }
        }
    }

    /// <summary>Workers started after the first.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>The running worker's process id; null while none runs.</summary>
    public int? Pid => Volatile.Read(ref _current)?.Pid;

    /// <summary>Starts the first worker and constructs the plugin in it; the plugin's answer (which may be a failure).</summary>
    /// <exception cref="WorkerUnavailableException">The worker did not start or answer in time.</exception>
    public async Task<StartResult> StartAsync(CancellationToken cancellationToken)
    {
        var (worker, started) = await LaunchAsync(cancellationToken);
        if (started.Error is null && started.ConfigurationError is null)
        {
            Adopt(worker);
            _heartbeat = _time.CreateTimer(_ => Beat(), null, HeartbeatInterval, HeartbeatInterval);
        }
        else
        {
            await worker.StopAsync(StopGrace);
            await worker.DisposeAsync();
        }

        return started;
    }

    /// <summary>
    /// Calls the running worker (waiting for a slot under <c>max_concurrency</c>). Throws <see cref="WorkerUnavailableException"/>
    /// when no worker runs or it goes away during the call.
    /// </summary>
    public async Task<TResult> CallAsync<TParams, TResult>(string method, TParams parameters, JsonTypeInfo<TParams> parametersType, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken)
    {
        var worker = Volatile.Read(ref _current) ?? throw Unavailable();
        if (_slots is null)
        {
            return await worker.Peer.CallAsync(method, parameters, parametersType, resultType, cancellationToken);
        }

        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await worker.Peer.CallAsync(method, parameters, parametersType, resultType, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Stops the worker: it finishes what it runs (up to a few seconds), disposes its plugin and exits.</summary>
    public async ValueTask DisposeAsync()
    {
        WorkerProcess? worker;
        lock (_lock)
        {
            if (_stateNow == WorkerState.Stopped)
            {
                return;
            }

            _stateNow = WorkerState.Stopped;
            worker = _current;
            _current = null;
        }

        await _stopping.CancelAsync();
        if (_heartbeat is { } heartbeat)
        {
            await heartbeat.DisposeAsync();
        }

        if (worker is not null)
        {
            await worker.StopAsync(StopGrace);
            await worker.DisposeAsync();
            IsolationLog.WorkerStopped(_logger, _name, worker.Pid);
        }
    }

    private WorkerUnavailableException Unavailable()
    {
        lock (_lock)
        {
            return new WorkerUnavailableException(_stateNow == WorkerState.Stopped
                ? "the instance was stopped"
                : $"its worker is restarting ({_lastExit ?? "starting"})");
        }
    }

    private async Task<(WorkerProcess Worker, StartResult Started)> LaunchAsync(CancellationToken cancellationToken)
    {
        WorkerProcess worker;
        try
        {
            worker = WorkerProcess.Start(_configPath, _name, _settings, ServeAsync, OnStandardError, OnBadLine);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            throw new WorkerUnavailableException($"the worker process could not be started: {e.Message}", e);
        }

        worker.Peer.Closing = _ => Detach(worker, "the worker closed its link to the host (it is exiting)");
        worker.Peer.Start();

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            timeout.CancelAfter(StartTimeout);
            var started = await worker.Peer.CallAsync(WorkerMethods.Start, new Empty(), WorkerJsonContext.Default.Empty, WorkerJsonContext.Default.StartResult, timeout.Token);
            return (worker, started);
        }
        catch (Exception e) when (e is WorkerUnavailableException or RpcException or OperationCanceledException)
        {
            var reason = e is OperationCanceledException && !cancellationToken.IsCancellationRequested && !_stopping.IsCancellationRequested
                ? $"no answer within {StartTimeout.TotalSeconds:0} s"
                : worker.Exited.IsCompleted || await Task.WhenAny(worker.Exited, Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System, CancellationToken.None)) == worker.Exited
                    ? worker.DescribeExit()
                    : e.Message;
            await worker.DisposeAsync();
            throw new WorkerUnavailableException(reason, e);
        }
    }

    private void Adopt(WorkerProcess worker)
    {
        lock (_lock)
        {
            if (_stateNow == WorkerState.Stopped)
            {
                _ = worker.DisposeAsync().AsTask();
                return;
            }

            _current = worker;
            _stateNow = WorkerState.Running;
            _startedAt = _time.GetTimestamp();
            _lastPong = _startedAt;
        }

        IsolationLog.WorkerRunning(_logger, _name, worker.Pid);
        _ = WatchAsync(worker);
    }

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

    /// <summary>The worker's calls to the host: its log lines and its state store.</summary>
    private async Task<RpcResult?> ServeAsync(RpcRequest request, CancellationToken cancellationToken)
    {
        try
        {
            switch (request.Method)
            {
                case WorkerMethods.Log:
                    WriteLog(WorkerCalls.Read(request, WorkerJsonContext.Default.LogEntry));
                    return null;
                case WorkerMethods.StateGet:
                    return Result(new StateValue(await _state.GetAsync(WorkerCalls.Read(request, WorkerJsonContext.Default.StateKey).Key, cancellationToken)), WorkerJsonContext.Default.StateValue);
                case WorkerMethods.StateSet:
                    var set = WorkerCalls.Read(request, WorkerJsonContext.Default.StateWrite);
                    await _state.SetAsync(set.Key, set.Value, set.ExpiresAt, cancellationToken);
                    return null;
                case WorkerMethods.StateTryAdd:
                    var add = WorkerCalls.Read(request, WorkerJsonContext.Default.StateWrite);
                    return Result(new StateFlag(await _state.TryAddAsync(add.Key, add.Value, add.ExpiresAt, cancellationToken)), WorkerJsonContext.Default.StateFlag);
                case WorkerMethods.StateRemove:
                    return Result(new StateFlag(await _state.RemoveAsync(WorkerCalls.Read(request, WorkerJsonContext.Default.StateKey).Key, cancellationToken)), WorkerJsonContext.Default.StateFlag);
                case WorkerMethods.StateIncrement:
                    var increment = WorkerCalls.Read(request, WorkerJsonContext.Default.StateIncrementCall);
                    return Result(new StateNumber(await _state.IncrementAsync(increment.Key, increment.ExpiresAt, cancellationToken)), WorkerJsonContext.Default.StateNumber);
                case WorkerMethods.StateExpiry:
                    var (exists, expiresAt) = await _state.TryGetExpiryAsync(WorkerCalls.Read(request, WorkerJsonContext.Default.StateKey).Key, cancellationToken);
                    return Result(new StateExpiry(exists, expiresAt), WorkerJsonContext.Default.StateExpiry);
                case WorkerMethods.StateList:
                    var entries = new List<KeyValuePair<string, string>>();
                    await foreach (var entry in _state.ListAsync(WorkerCalls.Read(request, WorkerJsonContext.Default.StateKey).Key, cancellationToken))
                    {
                        entries.Add(entry);
                    }

                    return Result(new StateEntries(entries), WorkerJsonContext.Default.StateEntries);
                default:
                    throw new RpcException(RpcErrorCodes.MethodNotFound, $"Method not found: '{request.Method}'", ReasonWords.UnknownMethod);
            }
        }
        catch (Exception e) when (StateUnavailableException.Find(e) is { } unavailable)
        {
            throw new RpcException(RpcErrorCodes.InternalError, unavailable.Message, WorkerErrors.StateUnavailable);
        }
    }

    private static RpcResult Result<T>(T value, JsonTypeInfo<T> type) => RpcResult.Of(value, type);

    private void WriteLog(LogEntry entry)
    {
        var level = (LogLevel)Math.Clamp(entry.Level, (int)LogLevel.Trace, (int)LogLevel.Critical);
        if (!_pluginLogger.IsEnabled(level))
        {
            return;
        }

        var exception = entry.Exception is { } text ? new IsolatedPluginException(text) : null;
        _pluginLogger.Log(level, new EventId(entry.EventId, entry.EventName), entry.Message, exception, static (message, _) => message);
    }

    private void OnStandardError(string line) => IsolationLog.WorkerPrinted(_logger, _name, line);

    private void OnBadLine(string problem) => IsolationLog.WorkerSentGarbage(_logger, _name, problem);
}
