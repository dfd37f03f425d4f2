using System.Text.Json.Serialization.Metadata;
using MfaHost.Rpc;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Logging;
using MfaHost.Configuration;

namespace MfaHost.Isolation;

/// <summary>
/// Keeps one isolated instance's worker process alive. A worker that exits, is killed, misses its heartbeat, holds a call
/// it was told to cancel for too long, or goes beyond <c>max_memory_mb</c> is ended; the calls waiting on it fail at once
/// (the instance answers DENY <c>plugin_unavailable</c>) and a new worker is started after a back-off that doubles from
/// 1 s to 60 s and starts over once a worker has run for a minute. Serves the worker's own calls (log lines, state).
/// </summary>
/// <remarks>This file starts, calls and stops the worker; <c>WorkerSupervisor.Restarts.cs</c> ends a failing one and starts the next;
/// <see cref="WorkerHostServices"/> serves the worker's calls to the host.</remarks>
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
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim? _slots;
    private readonly WorkerHostServices _services;
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
        _services = new WorkerHostServices(state, loggerFactory.CreateLogger($"MfaHost.Plugins.{name}"));
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
            worker = WorkerProcess.Start(_configPath, _name, _settings, _services.ServeAsync, OnStandardError, OnBadLine);
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

    private void OnStandardError(string line) => IsolationLog.WorkerPrinted(_logger, _name, line);

    private void OnBadLine(string problem) => IsolationLog.WorkerSentGarbage(_logger, _name, problem);
}
