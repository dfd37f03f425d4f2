using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using MfaHost.Configuration;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Configuration;

namespace MfaHost.Configuration;

/// <summary>
/// The credential store for one plugin instance. Looks, in order, in the environment
/// (<c>MFAHOST_&lt;INSTANCE&gt;_&lt;SECTION&gt;_&lt;OPTION&gt;</c>, then <c>MFAHOST_&lt;SECTION&gt;_&lt;OPTION&gt;</c>),
/// in systemd's <c>$CREDENTIALS_DIRECTORY</c> (<c>&lt;instance&gt;.&lt;section&gt;.&lt;option&gt;</c>, then
/// <c>&lt;section&gt;.&lt;option&gt;</c>), and in the host's credentials file (sections
/// <c>[&lt;instance&gt;.&lt;section&gt;]</c>, then <c>[&lt;section&gt;]</c>).
/// </summary>
internal sealed class HostCredentialStore : ICredentialStore
{
    private readonly string _instance;
    private readonly IDictionary _environment;
    private readonly string? _credentialsDirectory;
    private readonly IConfiguration? _file;
    private readonly string? _filePath;

    public HostCredentialStore(string instance, CredentialsFile? file, IDictionary? environment = null)
    {
        _instance = instance;
        _environment = environment ?? Environment.GetEnvironmentVariables();
        _credentialsDirectory = _environment["CREDENTIALS_DIRECTORY"] as string;
        _file = file?.Configuration;
        _filePath = file?.Path;
    }

    public bool TryGetSecret(string section, string optionName, [NotNullWhen(true)] out string? secret)
    {
        foreach (var name in EnvironmentNames(section, optionName))
        {
            if (_environment[name] is string { Length: > 0 } value)
            {
                secret = value;
                return true;
            }
        }

        if (!string.IsNullOrEmpty(_credentialsDirectory))
        {
            foreach (var name in FileNames(section, optionName))
            {
                var path = Path.Combine(_credentialsDirectory, name);
                if (File.Exists(path))
                {
                    secret = File.ReadAllText(path).TrimEnd('\r', '\n');
                    return true;
                }
            }
        }

        if (_file is not null)
        {
            foreach (var name in FileNames(section, optionName))
            {
                var dot = name.LastIndexOf('.');
                if (_file[$"{name[..dot]}:{name[(dot + 1)..]}"] is { Length: > 0 } value)
                {
                    secret = value.Trim();
                    return true;
                }
            }
        }

        secret = null;
        return false;
    }

    public string Describe(string section, string optionName)
    {
        var where = new StringBuilder("environment ").AppendJoin(" or ", EnvironmentNames(section, optionName));
        if (!string.IsNullOrEmpty(_credentialsDirectory))
        {
            where.Append("; $CREDENTIALS_DIRECTORY/").AppendJoin(" or ", FileNames(section, optionName));
        }

        if (_filePath is not null)
        {
            where.Append("; ").Append(_filePath).Append(" sections [").Append(_instance).Append('.').Append(section)
                .Append("] or [").Append(section).Append(']');
        }

        return where.ToString();
    }

    private IEnumerable<string> EnvironmentNames(string section, string option)
    {
        yield return "MFAHOST_" + Upper(_instance) + "_" + Upper(section) + "_" + Upper(option);
        yield return "MFAHOST_" + Upper(section) + "_" + Upper(option);
    }

    private IEnumerable<string> FileNames(string section, string option)
    {
        yield return $"{_instance}.{section}.{option}";
        yield return $"{section}.{option}";
    }

    private static string Upper(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        return builder.ToString();
    }
}

/// <summary>The host's credentials file: INI, readable by the host's user only.</summary>
internal sealed record CredentialsFile(string Path, IConfiguration Configuration)
{
    public static CredentialsFile Load(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new MfaConfigurationException(path, null, "-", null,
                    $"the credentials file has mode {HostSettingsLoader.Octal(mode)}; it must be readable by the host's user only (chmod 600)");
            }

            // Its owner could change it (and so every secret the host uses): only the host's user or root may own it.
            var (uid, _) = Unix.FileStatus.Effective();
            if (Unix.FileStatus.Of(path, followLinks: true) is { } status && status.Uid != 0 && status.Uid != uid)
            {
                throw new MfaConfigurationException(path, null, "-", null,
                    $"the credentials file is owned by uid {status.Uid}; it must be owned by the host's user (uid {uid}) or root (chown it)");
            }
        }

        return new CredentialsFile(path, IniFile.Load(path));
    }
}
