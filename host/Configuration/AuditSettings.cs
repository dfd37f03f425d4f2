using System.Security.Cryptography;
using System.Text;
using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>
/// <c>[audit]</c> of the host file: where the trail goes and the key of its hash chain. The key comes from the
/// credential store (<c>key = $</c>, or with no <c>key</c> line: the secret <c>audit.key</c>, e.g.
/// <c>MFAHOST_AUDIT_KEY</c>); without one the host generates <see cref="GeneratedKeyFile"/> in the data folder.
/// </summary>
internal sealed record AuditSettings
{
    public const int DefaultQueue = 10_000;

    public static AuditSettings Off { get; } = new() { Enabled = false, File = string.Empty, GeneratedKeyFile = string.Empty };

    public bool Enabled { get; init; } = true;

    /// <summary><c>[audit] file</c>, default <c>&lt;data_dir&gt;/audit.jsonl</c>.</summary>
    public required string File { get; init; }

    /// <summary>The chain's HMAC key from the credential store (SHA-256 of the secret), or null: use <see cref="GeneratedKeyFile"/>.</summary>
    public byte[]? Key { get; init; }

    /// <summary>Where the host keeps a generated key when the credential store has none (mode 0600).</summary>
    public required string GeneratedKeyFile { get; init; }

    /// <summary><c>[audit] queue</c>: lines waiting for the writer at most; beyond it lines are dropped and counted.</summary>
    public int Queue { get; init; } = DefaultQueue;

    /// <summary>Reads <c>[audit]</c>; relative paths resolve against <paramref name="configDirectory"/>.</summary>
    /// <exception cref="MfaConfigurationException">A value is wrong (file, line, option; never the key).</exception>
    public static AuditSettings Read(IniSection section, ICredentialStore credentials, string configDirectory, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(credentials);
        var secret = section.GetString("key") is not null
            ? section.GetSecret("key")
            : credentials.TryGetSecret(section.Name, "key", out var stored) ? stored : null;
        if (secret is not null && Encoding.UTF8.GetByteCount(secret) < 32)
        {
            throw section.Error("key", "is shorter than 32 bytes; use a long random value (for example: openssl rand -base64 48)");
        }

        return new AuditSettings
        {
            Enabled = section.GetBool("enabled", true),
            File = section.GetString("file") is { } file ? Path.GetFullPath(file, configDirectory) : Path.Combine(dataDirectory, "audit.jsonl"),
            Key = secret is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(secret)),
            GeneratedKeyFile = Path.Combine(dataDirectory, "audit.key"),
            Queue = section.GetInt("queue", DefaultQueue, 100, 10_000_000),
        };
    }

    /// <summary>The key to chain with: the credential store's, else the generated file's (created when <paramref name="create"/>); null when there is none.</summary>
    /// <exception cref="IOException">The generated key file cannot be read or created.</exception>
    public byte[]? ResolveKey(bool create)
    {
        if (Key is not null)
        {
            return Key;
        }

        if (System.IO.File.Exists(GeneratedKeyFile))
        {
            var text = System.IO.File.ReadAllText(GeneratedKeyFile).Trim();
            return SHA256.HashData(Encoding.UTF8.GetBytes(text));
        }

        if (!create)
        {
            return null;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(GeneratedKeyFile)!);
        var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(GeneratedKeyFile, Encoding.ASCII, options))
        {
            writer.WriteLine(generated);
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(generated));
    }
}
