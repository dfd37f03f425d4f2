using MfaHost.Hosting;
using MfaHost.Unix;

namespace MfaHost.Protocol;

/// <summary>
/// Refuses a socket path that another local user could replace. Whoever can write to the socket's folder (or to a
/// folder above it) can delete or rename the socket and listen in its place: gateways would then send passwords and
/// codes to that user and take its ACCEPT. So the socket's folder and every folder above it must be owned by root or by
/// the host's user, and writable by nobody else (a group other than root's or the host's own counts as somebody else),
/// unless the folder is sticky (like <c>/tmp</c>) and owned by root or the host's user: there others may add files but
/// cannot remove or rename the host's.
/// </summary>
internal static class SocketFolderCheck
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>Creates the socket's folder (0755) when absent, then checks it and the folders above it.</summary>
    /// <exception cref="HostStartupException">The folder cannot be created, or is not safe; the message says why and what to do.</exception>
    public static void EnsureSafe(string socketPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(socketPath))!;
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
                return;
            }

            Directory.CreateDirectory(folder, FolderMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HostStartupException($"cannot create the socket's folder for {socketPath} ([host] socket): {e.Message}", innerException: e);
        }

        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var (uid, gid) = FileStatus.Effective();
        for (var current = FileStatus.RealPath(folder); current is not null; current = Path.GetDirectoryName(current))
        {
            FileStatus status;
            try
            {
                status = FileStatus.Of(current, followLinks: true) ?? throw new IOException("it does not exist");
            }
            catch (IOException e)
            {
                throw new HostStartupException($"cannot check the socket's folder {current} ([host] socket {socketPath}): {e.Message}", innerException: e);
            }

            if (Problem(status, uid, gid) is { } problem)
            {
                throw new HostStartupException(
                    $"the socket {socketPath} ([host] socket) is in an unsafe place: {current} {problem}. Whoever can write there can replace the socket "
                    + "and receive the gateways' passwords and codes in the host's place. Put the socket in a folder that only root or the host's user "
                    + "can write (for example /run/mfahost, mode 0755); a shared folder is accepted only with the sticky bit (like /tmp) and owned by root or the host's user");
            }
        }
    }

    /// <summary>Why other users could replace files in this folder, or null when they cannot.</summary>
    internal static string? Problem(FileStatus folder, uint hostUid, uint hostGid)
    {
        var trustedOwner = folder.Uid == 0 || folder.Uid == hostUid;
        var mode = Unix.UnixModes.Octal(folder.Mode, folder.Sticky);
        if (!trustedOwner)
        {
            return $"is owned by uid {folder.Uid} (mode {mode}), who is neither root nor the host's user";
        }

        if (folder.Sticky)
        {
            return null;
        }

        if ((folder.Mode & UnixFileMode.OtherWrite) != 0)
        {
            return $"is writable by every user (mode {mode}) and has no sticky bit";
        }

        if ((folder.Mode & UnixFileMode.GroupWrite) != 0 && folder.Gid != 0 && folder.Gid != hostGid)
        {
            return $"is writable by group {folder.Gid} (mode {mode})";
        }

        return null;
    }
}
