using MfaHost.Unix;

namespace MfaHost.State;

/// <summary>
/// Keeps the state store private to the host's user whatever the umask: the data folder is created 0700, and the SQLite
/// database is created 0600 before SQLite opens it (SQLite gives its <c>-wal</c> and <c>-shm</c> files the database's
/// mode). Files left more open by an earlier version lose their group and other permissions at every open.
/// </summary>
internal static class StateFilePermissions
{
    /// <summary>Prepares the folder and the database file at <paramref name="databasePath"/>.</summary>
    /// <exception cref="IOException">A state file is open to other users and its mode cannot be changed.</exception>
    public static void Secure(string databasePath)
    {
        var folder = Path.GetDirectoryName(databasePath)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        // An existing folder keeps its mode (it may be shared with other files); the files in it are made private below.
        Directory.CreateDirectory(folder, UnixModes.OwnerOnlyFolder);
        if (!File.Exists(databasePath))
        {
            try
            {
                using var created = new FileStream(databasePath, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixModes.OwnerOnlyFile,
                });
            }
            catch (IOException) when (File.Exists(databasePath))
            {
                // Another process (the CLI, another host) created it meanwhile.
            }
        }

        foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm", databasePath + "-journal" })
        {
            MakePrivate(file);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void MakePrivate(string file)
    {
        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(file);
        }
        catch (FileNotFoundException)
        {
            return;
        }

        if ((mode & UnixModes.GroupOrOther) == 0)
        {
            return;
        }

        try
        {
            File.SetUnixFileMode(file, mode & ~UnixModes.GroupOrOther);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException(
                $"the state file {file} has mode {UnixModes.Octal(mode)}, so other users can read it, and the host cannot change that ({e.Message}): "
                + "make it owned by the host's user, or chmod 600 it", e);
        }
    }
}
