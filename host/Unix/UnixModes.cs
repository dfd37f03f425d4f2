using System.Globalization;

namespace MfaHost.Unix;

/// <summary>Unix file modes as operators write them.</summary>
internal static class UnixModes
{
    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Group and other permission bits.</summary>
    public const UnixFileMode GroupOrOther = (UnixFileMode)0b000_111_111;

    /// <summary>The mode in octal, e.g. <c>0755</c> or <c>1777</c>.</summary>
    public static string Octal(UnixFileMode mode, bool sticky = false) =>
        (sticky ? "1" : "0") + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0').ToString(CultureInfo.InvariantCulture);
}
