using System.Runtime.InteropServices;

namespace MfaHost.Unix;

/// <summary>
/// Signals the process inherited as ignored. A host started under <c>nohup</c> (or by a parent that ignores SIGHUP)
/// inherits SIGHUP as ignored, and .NET leaves an inherited "ignore" in place, so a <see cref="PosixSignalRegistration"/>
/// for it never fires: <c>kill -HUP</c> would be silently dropped instead of reloading.
/// </summary>
internal static partial class IgnoredSignals
{
    private const int SigHup = 1;
    private static readonly nint SigDefault = 0;
    private static readonly nint SigIgnore = 1;

    /// <summary>Gives SIGHUP its default disposition again when it was inherited as ignored; true when it was.</summary>
    /// <remarks>Call before registering a handler for it; the handler then replaces the default.</remarks>
    public static unsafe bool RestoreHangup()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        // Read the disposition without changing it (struct sigaction starts with the handler; 256 bytes hold it whole).
        var current = stackalloc byte[256];
        if (sigaction(SigHup, null, current) != 0 || *(nint*)current != SigIgnore)
        {
            return false;
        }

        signal(SigHup, SigDefault);
        return true;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint signal(int signum, nint handler);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int sigaction(int signum, byte* action, byte* previous);
}
