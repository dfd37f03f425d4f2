using System.Runtime.InteropServices;

namespace MfaHost.Unix;

/// <summary>The process's open-file limit (<c>RLIMIT_NOFILE</c>), which caps how many connections can be open.</summary>
internal static partial class FileDescriptorLimit
{
    private const int RlimitNofile = 7;

    /// <summary>The soft limit, or null when unknown or unlimited.</summary>
    public static long? Soft()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            return null;
        }

        if (getrlimit(RlimitNofile, out var limit) != 0 || limit.Current > long.MaxValue)
        {
            return null;
        }

        return (long)limit.Current;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
