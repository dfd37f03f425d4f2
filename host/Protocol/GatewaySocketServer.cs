using System.Collections.Concurrent;
using System.Net.Sockets;
using MfaHost.Configuration;
using MfaHost.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol;

/// <summary>
/// The gateway socket: a Unix domain stream socket at <c>[host] socket</c> with <c>[host] socket_mode</c>.
/// Starts after the plugins are loaded; at stop it closes the socket first, lets requests in flight
/// finish up to <c>[host] shutdown_timeout</c>, cancels the rest, closes the connections and removes the file.
/// </summary>
internal sealed class GatewaySocketServer(
    HostSettings settings,
    GatewayDispatcher dispatcher,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("MfaHost.Protocol");
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextConnectionId;

    public string SocketPath => settings.SocketPath;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = settings.SocketPath;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HostStartupException($"cannot create the socket's folder for {path} ([host] socket): {e.Message}", innerException: e);
        }

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
        var mode = HostSettingsLoader.Octal(settings.SocketMode);
        ProtocolLog.Listening(_logger, path, mode);

        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is not { } listener)
        {
            return;
        }

        // 1. No new connections.
        listener.Dispose();
        await _acceptLoop;

        // 2. Requests in flight may finish, up to the shutdown timeout; new ones are refused (-32002 shutting_down).
        dispatcher.StopAdmitting();
        var drained = dispatcher.Drained.WaitAsync(settings.ShutdownTimeout, timeProvider, cancellationToken);
        ProtocolLog.Draining(_logger, settings.ShutdownTimeout, dispatcher.Running);
        try
        {
            await drained;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            ProtocolLog.CancellingInFlight(_logger, dispatcher.Running);
        }

        // 3. Cancel the rest (they answer DENY timeout at once), then let every connection write its answers and close.
        await _abort.CancelAsync();
        try
        {
            await Task.WhenAll(_connections.Values).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        // 4. Remove the socket file.
        TryDelete(settings.SocketPath);
        ProtocolLog.Stopped(_logger, settings.SocketPath);
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _abort.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync();
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return;
            }
            catch (SocketException e)
            {
                // For example out of file descriptors: log, and keep serving the connections that exist.
                ProtocolLog.AcceptFailed(_logger, settings.SocketPath, e);
                continue;
            }

            var id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new GatewayConnection(id, socket, dispatcher, settings.MaxFrameBytes, _logger, _abort.Token);
            _connections[id] = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(GatewayConnection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync();
        }
        catch (Exception e)
        {
            ProtocolLog.ConnectionError(_logger, connection.Id, e.Message);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
        }
    }

    /// <summary>A socket file left by a crashed run is removed; one a live host answers on stops this one.</summary>
    private async Task ReplaceStaleSocketAsync(string path, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw new HostStartupException($"the socket path {path} ([host] socket) is a directory");
        }

        if (!File.Exists(path))
        {
            return;
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
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.NotSocket)
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
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
