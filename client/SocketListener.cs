using System.Net.Sockets;

namespace MfaHost.Client;

/// <summary>Who listens on a connected Unix socket.</summary>
internal static class SocketListener
{
    // The uid of the process that called listen() on the socket: Linux getsockopt(SOL_SOCKET, SO_PEERCRED), struct ucred { pid, uid, gid }.
    public static uint? Uid(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> ucred = stackalloc byte[12];
        try
        {
            return socket.GetRawSocketOption(1, 17, ucred) >= 12 ? System.Runtime.InteropServices.MemoryMarshal.Read<uint>(ucred[4..]) : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
