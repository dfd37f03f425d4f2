using Microsoft.Extensions.Configuration;

namespace MfaHost.PluginSdk;

/// <summary>
/// A plugin instance's INI file (<c>config/plugins/&lt;instance&gt;.ini</c>) as typed, validated
/// sections. Every error names the file, section, option and value.
/// </summary>
public sealed class PluginConfiguration
{
    private readonly IConfiguration _configuration;
    private readonly ICredentialStore _credentials;

    /// <summary>Wraps configuration loaded from <paramref name="filePath"/>.</summary>
    /// <param name="configuration">The loaded INI content (sections as configuration sections).</param>
    /// <param name="filePath">The file it came from, for error messages.</param>
    /// <param name="credentials">Where <c>$</c> values are read from.</param>
    public PluginConfiguration(IConfiguration configuration, string filePath, ICredentialStore credentials)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(filePath);
        ArgumentNullException.ThrowIfNull(credentials);
        _configuration = configuration;
        _credentials = credentials;
        FilePath = filePath;
    }

    /// <summary>The INI file this configuration came from.</summary>
    public string FilePath { get; }

    /// <summary>The sections present in the file.</summary>
    public IEnumerable<string> SectionNames => _configuration.GetChildren().Select(c => c.Key);

    /// <summary>A section; an absent section is empty, so every optional getter returns its default.</summary>
    /// <param name="name">The section name (case-insensitive).</param>
    public IniSection Section(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new IniSection(_configuration.GetSection(name), name, FilePath, _credentials);
    }

    /// <summary>Resolves a path written in the file: relative paths are taken from the file's folder.</summary>
    /// <param name="path">The path as written.</param>
    public string ResolvePath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(FilePath)) ?? ".";
        return Path.GetFullPath(path, folder);
    }

    /// <summary>Whether the file has the section.</summary>
    /// <param name="name">The section name (case-insensitive).</param>
    public bool HasSection(string name) => _configuration.GetSection(name).GetChildren().Any();
}
