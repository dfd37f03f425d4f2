using System.Collections.Concurrent;
using System.Net.Sockets;
using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol;

/// <summary>
/// The gateway socket: a Unix domain stream socket at <c>[host] socket</c> with <c>[host] socket_mode</c>.
/// Starts after the plugins are loaded; at stop it closes the socket first, lets requests in flight
/// finish until shortly before <c>[host] shutdown_timeout</c>, cancels the rest (they answer <c>shutting_down</c>),
/// closes the connections and removes the file, all within the shutdown timeout.
/// </summary>
/// <remarks>
/// At most <c>max_connections</c> connections are served (fewer when the open-file limit is lower); another is accepted,
/// sent one <c>too_many_connections</c> error line and closed. A failing accept (out of file descriptors) waits a
/// growing pause before the next try rather than spinning. A sweep every <see cref="SweepInterval"/> closes timed-out
/// connections and reports warnings the <see cref="LogThrottle"/> held back.
/// <para>This file starts, stops and sweeps; <c>GatewaySocketServer.Accepting.cs</c> accepts and serves connections;
/// <see cref="GatewaySocketFile"/> looks after the socket file.</para>
/// </remarks>
internal sealed partial class GatewaySocketServer(
    HostSettings settings,
    GatewayDispatcher dispatcher,
    ShutdownState shutdown,
    LogThrottle throttle,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : IHostedService, IDisposable
{
    /// <summary>File descriptors kept for plugins, the state store and logging when the open-file limit caps connections.</summary>
    public const int ReservedFileDescriptors = 64;

    /// <summary>The first pause after a failed accept; it doubles on each failure in a row up to <see cref="MaxAcceptBackoff"/>.</summary>
    public static readonly TimeSpan MinAcceptBackoff = TimeSpan.FromMilliseconds(50);

    public static readonly TimeSpan MaxAcceptBackoff = TimeSpan.FromSeconds(1);

    // Connection timeouts and the accept backoff guard the process's sockets and threads, which live in real time: they
    // run on the system clock even when a test fakes the host's clock to move plugin state (lock-outs, expiries) along.
    private static readonly TimeProvider ConnectionClock = TimeProvider.System;

    private readonly ILogger _logger = loggerFactory.CreateLogger("MfaHost.Protocol");
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly ConcurrentDictionary<long, Served> _connections = new();
    private Socket? _listener;
    private ITimer? _sweep;
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextConnectionId;
    private int _open;
    private int _maxConnections;

    public string SocketPath => settings.SocketPath;

    /// <summary>How often timeouts are checked: a quarter of the shortest timeout, between 50 ms and 1 s.</summary>
    public TimeSpan SweepInterval => TimeSpan.FromTicks(Math.Clamp(
        Math.Min(settings.ConnectionIdleTimeout.Ticks, settings.FrameTimeout.Ticks) / 4,
        TimeSpan.FromMilliseconds(50).Ticks,
        TimeSpan.FromSeconds(1).Ticks));

    /// <summary>Connections open now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = settings.SocketPath;
        SocketFolderCheck.EnsureSafe(path);
        await GatewaySocketFile.ReplaceStaleAsync(path, _logger, cancellationToken);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, settings.SocketMode);
            }

            listener.Listen(1024);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            throw new HostStartupException($"cannot listen on {path} ([host] socket): {e.Message}", innerException: e);
        }

        _listener = listener;
        _maxConnections = EffectiveMaxConnections();
        var mode = HostSettingsLoader.Octal(settings.SocketMode);
        ProtocolLog.Listening(_logger, path, mode);

        _sweep = ConnectionClock.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is not { } listener)
        {
            return;
        }

        var deadline = timeProvider.GetUtcNow() + settings.ShutdownTimeout;

        // Time kept at the end to answer what had to be cancelled and close the connections.
        var closing = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, settings.ShutdownTimeout.Ticks / 4));

        // 1. No new connections.
        await _stopAccepting.CancelAsync();
        listener.Dispose();
        await _acceptLoop;

        // 2. Requests in flight may finish until shortly before the shutdown timeout; new ones are refused (-32002 shutting_down).
        dispatcher.StopAdmitting();
        ProtocolLog.Draining(_logger, settings.ShutdownTimeout, dispatcher.Running);
        try
        {
            await dispatcher.Drained.WaitAsync(Remaining(deadline) - closing, timeProvider, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or ArgumentOutOfRangeException)
        {
            ProtocolLog.CancellingInFlight(_logger, dispatcher.Running);
        }

        // 3. Cancel the rest (they answer shutting_down at once), then let every connection write its answers and close.
        shutdown.MarkStopping();
        await _abort.CancelAsync();
        try
        {
            var left = Remaining(deadline);
            await Task.WhenAll(_connections.Values.Select(c => c.Closed.Task)).WaitAsync(left > closing ? left : closing, timeProvider, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or ArgumentOutOfRangeException)
        {
            // A peer that reads nothing (or a method that ignores cancellation) must not hold the shutdown up.
            ProtocolLog.AbortingConnections(_logger, _connections.Count);
            foreach (var served in _connections.Values)
            {
                served.Connection.Abort();
            }
        }

        // 4. Remove the socket file.
        _sweep?.Dispose();
        GatewaySocketFile.TryDelete(settings.SocketPath);
        ProtocolLog.Stopped(_logger, settings.SocketPath);
    }

    public void Dispose()
    {
        _sweep?.Dispose();
        _listener?.Dispose();
        _abort.Dispose();
        _stopAccepting.Dispose();
    }

    private TimeSpan Remaining(DateTimeOffset deadline)
    {
        var left = deadline - timeProvider.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }


    private void Sweep()
    {
        foreach (var served in _connections.Values)
        {
            served.Connection.CheckTimeouts();
        }

        foreach (var (warning, heldBack) in throttle.TakeHeldBack())
        {
            ProtocolLog.WarningsHeldBack(_logger, heldBack, warning, throttle.Interval);
        }
    }

    private sealed class Served(GatewayConnection connection)
    {
        public GatewayConnection Connection { get; } = connection;

        public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
