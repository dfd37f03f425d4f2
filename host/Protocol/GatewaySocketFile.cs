using System.Net.Sockets;
using MfaHost.Unix;
using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol;

/// <summary>The gateway socket's file: a stale one left by a crashed run is replaced, and only ever a socket is removed.</summary>
internal static class GatewaySocketFile
{
    /// <summary>
    /// A socket file left by a crashed run is removed; one a live host answers on stops this one. Anything at the path
    /// that is not a socket (a file, a link, a folder) is never removed: the host refuses to start and says so.
    /// </summary>
    public static async Task ReplaceStaleAsync(string path, ILogger logger, CancellationToken cancellationToken)
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
        ProtocolLog.StaleSocketReplaced(logger, path);
    }

    public static void TryDelete(string path)
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
}
