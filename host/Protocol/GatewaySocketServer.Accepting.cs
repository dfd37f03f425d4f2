using System.Net.Sockets;
using System.Text;
using MfaHost.Unix;

namespace MfaHost.Protocol;

/// <summary>Accepting connections: the accept loop with its back-off, the <c>max_connections</c> limit, serving each connection.</summary>
internal sealed partial class GatewaySocketServer
{
    private static readonly byte[] TooManyConnectionsLine = Encoding.UTF8.GetBytes(
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":" + RpcErrorCodes.Overloaded.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + ",\"message\":\"Too many connections (max_connections); retry later\",\"data\":{\"reason\":\"" + ReasonWords.TooManyConnections + "\"}}}\n");

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
}
