using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MfaHost.Access;

/// <summary>Reads the peer's pid, uid and gid of a connected Unix socket (Linux: getsockopt SOL_SOCKET, SO_PEERCRED).</summary>
internal static class PeerCredentialReader
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public static PeerCredentials Read(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return PeerCredentials.Unknown;
        }

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: three 32-bit values in host byte order.
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) < 12)
            {
                return PeerCredentials.Unknown;
            }
        }
        catch (SocketException)
        {
            return PeerCredentials.Unknown;
        }

        return new PeerCredentials(
            MemoryMarshal.Read<int>(ucred),
            MemoryMarshal.Read<uint>(ucred[4..]),
            MemoryMarshal.Read<uint>(ucred[8..]));
    }
}
