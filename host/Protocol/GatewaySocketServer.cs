using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Logging;
using MfaHost.Rpc;
using MfaHost.Unix;
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
/// </remarks>
internal sealed class GatewaySocketServer(
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

    private static readonly byte[] TooManyConnectionsLine = Encoding.UTF8.GetBytes(
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":" + RpcErrorCodes.Overloaded.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + ",\"message\":\"Too many connections (max_connections); retry later\",\"data\":{\"reason\":\"" + ReasonWords.TooManyConnections + "\"}}}\n");

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
        await ReplaceStaleSocketAsync(path, cancellationToken);
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
        TryDelete(settings.SocketPath);
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

    private int EffectiveMaxConnections()
    {
        var limit = FileDescriptorLimit.Soft();
        if (limit is { } soft && soft - ReservedFileDescriptors < settings.MaxConnections)
        {
            var effective = (int)Math.Max(1, soft - ReservedFileDescriptors);
            ProtocolLog.ConnectionsClamped(_logger, settings.MaxConnections, soft, ReservedFileDescriptors, effective);
            return effective;
        }

        return settings.MaxConnections;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        var backoff = TimeSpan.Zero;
        var limits = new ConnectionLimits(settings.MaxFrameBytes, settings.MaxInFlightPerConnection, settings.ConnectionIdleTimeout, settings.FrameTimeout);
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopAccepting.Token);
                backoff = TimeSpan.Zero;
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return;
            }
            catch (SocketException e)
            {
                // For example out of file descriptors (EMFILE, ENFILE): the waiting connection stays queued, so an
                // immediate retry fails again at once. Pause, keep serving the connections that exist, try again.
                backoff = backoff == TimeSpan.Zero ? MinAcceptBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxAcceptBackoff.Ticks));
                if (throttle.ShouldLog("accept_failed", out var heldBack))
                {
                    ProtocolLog.AcceptFailed(_logger, settings.SocketPath, e.SocketErrorCode, backoff, heldBack);
                }

                try
                {
                    await Task.Delay(backoff, ConnectionClock, _stopAccepting.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            if (Interlocked.Increment(ref _open) > _maxConnections)
            {
                Interlocked.Decrement(ref _open);
                Refuse(socket);
                continue;
            }

            var id = Interlocked.Increment(ref _nextConnectionId);
            GatewayConnection connection;
            try
            {
                connection = new GatewayConnection(id, socket, dispatcher, limits, ConnectionClock, throttle, _logger, _abort.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                Interlocked.Decrement(ref _open);
                socket.Dispose();
                ProtocolLog.ConnectionError(_logger, id, e.Message);
                continue;
            }

            var served = new Served(connection);
            _connections[id] = served;
            _ = ServeAsync(served);
        }
    }

    private void Refuse(Socket socket)
    {
        if (throttle.ShouldLog("max_connections", out var heldBack))
        {
            ProtocolLog.TooManyConnections(_logger, _maxConnections, heldBack);
        }

        try
        {
            // A fresh socket's send buffer is empty, so this never blocks; the peer reads the line, then end of stream.
            socket.Blocking = false;
            socket.Send(TooManyConnectionsLine, SocketFlags.None, out _);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    private async Task ServeAsync(Served served)
    {
        await Task.Yield();
        try
        {
            await served.Connection.RunAsync();
        }
        catch (Exception e)
        {
            ProtocolLog.ConnectionError(_logger, served.Connection.Id, e.Message);
        }
        finally
        {
            _connections.TryRemove(served.Connection.Id, out _);
            Interlocked.Decrement(ref _open);
            served.Closed.TrySetResult();
        }
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

    /// <summary>
    /// A socket file left by a crashed run is removed; one a live host answers on stops this one. Anything at the path
    /// that is not a socket (a file, a link, a folder) is never removed: the host refuses to start and says so.
    /// </summary>
    private async Task ReplaceStaleSocketAsync(string path, CancellationToken cancellationToken)
    {
        var kind = FileStatus.KindOf(path);
        if (kind == FileKind.None)
        {
            return;
        }

        if (kind != FileKind.Socket)
        {
            throw new HostStartupException(
                $"the socket path {path} ([host] socket) is taken by a {FileStatus.Describe(kind)}, not a socket; the host removes only a stale socket there: move it away or choose another path");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
                throw new HostStartupException(
                    $"another host is already listening on {path}: stop it first, or give this host another socket ([host] socket or --socket)");
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
            {
                // Nobody listens: a crashed run's leftover.
            }
            catch (SocketException e)
            {
                throw new HostStartupException($"cannot check whether the existing socket {path} is in use: {e.Message}", innerException: e);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new HostStartupException($"the existing socket {path} does not answer, but may be in use: remove it if no host runs");
            }
        }

        TryDelete(path);
        ProtocolLog.StaleSocketReplaced(_logger, path);
    }

    private static void TryDelete(string path)
    {
        // Only a socket is ever removed: whatever else appeared at the path meanwhile stays.
        if (FileStatus.KindOf(path) != FileKind.Socket)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private sealed class Served(GatewayConnection connection)
    {
        public GatewayConnection Connection { get; } = connection;

        public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
