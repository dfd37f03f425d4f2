using System.Security.Cryptography;
using System.Text;

namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>
/// The seed key of an instance whose <c>[totp] seed_key</c> is not set: 32 random bytes (Base64, the form
/// <c>seed_key</c> takes) in <see cref="FileName"/> of the instance's data folder, readable by the host's user only,
/// like the audit trail's generated key. So a fresh site seals its seeds from the first enrollment; the operator is
/// told (at every start) to move the key into the credential store. A rotation (<c>mfahost totp rekey</c>) writes the
/// new key to <see cref="NextFileName"/> first and renames it over the old one once every secret is sealed with it: an
/// interrupted rotation leaves both files, and the next start finishes it.
/// </summary>
internal sealed class GeneratedSeedKey(string directory)
{
    public const string FileName = "seed.key";

    public const string NextFileName = "seed.key.next";

    public string KeyFile { get; } = Path.Combine(directory, FileName);

    public string NextFile { get; } = Path.Combine(directory, NextFileName);

    /// <summary>The key in <see cref="KeyFile"/>, or null when there is none.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public string? ReadCurrent() => Read(KeyFile);

    /// <summary>The key of an unfinished rotation, or null.</summary>
    public string? ReadNext() => Read(NextFile);

    /// <summary>Writes a new random key to <see cref="KeyFile"/> (mode 0600, folder 0700) and returns it.</summary>
    public string CreateCurrent() => Create(KeyFile);

    /// <summary>The key of a rotation: the one already in <see cref="NextFile"/> (a rotation interrupted before), else a new one.</summary>
    public string CreateNext() => ReadNext() ?? Create(NextFile);

    /// <summary>Makes the rotation's key the key (an atomic rename).</summary>
    public void CompleteRotation() => File.Move(NextFile, KeyFile, overwrite: true);

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    private string Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(key + "\n"));
            // On disk before any secret is sealed with it: a crash must not leave secrets under a key that was lost.
            stream.Flush(flushToDisk: true);
        }

        return key;
    }
}
