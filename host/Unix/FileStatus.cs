using System.Runtime.InteropServices;

namespace MfaHost.Unix;

/// <summary>What is at a path, as <c>lstat</c> says (symbolic links are not followed).</summary>
internal enum FileKind
{
    None,
    Regular,
    Directory,
    Socket,
    SymbolicLink,
    Other,
}

/// <summary>A file's type, owner and mode (Linux <c>statx</c>).</summary>
/// <remarks>
/// .NET has no API for a file's owner or for telling a socket from a regular file. <c>statx</c> is used because its
/// buffer has one layout on every architecture, unlike <c>struct stat</c>.
/// </remarks>
internal readonly partial record struct FileStatus(FileKind Kind, uint Uid, uint Gid, UnixFileMode Mode, bool Sticky)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasic = 0x1 | 0x2 | 0x8 | 0x10; // type, mode, uid, gid
    private const int Enoent = 2;
    private const int Enotdir = 20;

    /// <summary>The status of <paramref name="path"/> itself (a link is reported as a link); null when nothing is there.</summary>
    /// <exception cref="IOException">The status cannot be read (for example permission denied).</exception>
    public static FileStatus? Of(string path, bool followLinks = false)
    {
        if (!OperatingSystem.IsLinux())
        {
            return FallbackOf(path);
        }

        var buffer = new StatxBuffer();
        if (statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasic, ref buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Enoent or Enotdir)
            {
                return null;
            }

            throw new IOException($"cannot read the status of {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var kind = (buffer.Mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xC000 => FileKind.Socket,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Other,
        };
        return new FileStatus(kind, buffer.Uid, buffer.Gid, (UnixFileMode)(buffer.Mode & 0x1FF), (buffer.Mode & 0x200) != 0);
    }

    /// <summary>The kind of file at <paramref name="path"/>; <see cref="FileKind.None"/> when nothing is there or it cannot be read.</summary>
    public static FileKind KindOf(string path)
    {
        try
        {
            return Of(path)?.Kind ?? FileKind.None;
        }
        catch (IOException)
        {
            return FileKind.Other;
        }
    }

    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "regular file",
        FileKind.Directory => "folder",
        FileKind.Socket => "socket",
        FileKind.SymbolicLink => "symbolic link",
        _ => "special file",
    };

    /// <summary>The effective uid and gid of this process.</summary>
    public static (uint Uid, uint Gid) Effective() => OperatingSystem.IsLinux() ? (geteuid(), getegid()) : (0, 0);

    /// <summary>The path with every symbolic link resolved (<c>realpath</c>); the path itself when that fails.</summary>
    public static string RealPath(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return path;
        }

        var resolved = realpath(path, 0);
        if (resolved == 0)
        {
            return path;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved) ?? path;
        }
        finally
        {
            free(resolved);
        }
    }

    private static FileStatus? FallbackOf(string path)
    {
        if (Directory.Exists(path))
        {
            return new FileStatus(FileKind.Directory, 0, 0, 0, false);
        }

        return File.Exists(path) ? new FileStatus(FileKind.Regular, 0, 0, 0, false) : null;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, ref StatxBuffer buffer);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint realpath(string path, nint resolved);

    [LibraryImport("libc")]
    private static partial void free(nint pointer);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc")]
    private static partial uint getegid();

    // struct statx (linux/stat.h): 256 bytes; only the fields read here are named.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(24)]
        public uint Gid;

        [FieldOffset(28)]
        public ushort Mode;
    }
}
