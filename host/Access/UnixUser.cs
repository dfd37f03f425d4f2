using System.Runtime.InteropServices;

namespace MfaHost.Access;

/// <summary>The host process's own user id.</summary>
internal static partial class UnixUser
{
    public static uint EffectiveUid() => OperatingSystem.IsWindows() ? uint.MaxValue : geteuid();

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
