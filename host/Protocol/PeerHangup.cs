using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MfaHost.Protocol;

/// <summary>
/// Tells a peer that closed its socket from one that only shut down its sending side: both read as end
/// of stream, but only the first reports POLLHUP (Linux, AF_UNIX).
/// </summary>
internal static partial class PeerHangup
{
    private const short PollOut = 0x004;
    private const short PollHup = 0x010;

    public static bool HasHungUp(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        try
        {
            var fd = new PollFd { Fd = (int)socket.Handle, Events = PollOut };
            return poll(ref fd, 1, 0) > 0 && (fd.Revents & PollHup) != 0;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(ref PollFd fds, nuint count, int timeout);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
