using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;
using MfaHost.Configuration;

namespace MfaHost.Plugins;

/// <summary>
/// One configured plugin instance as read and checked, before anything is constructed: its file, type,
/// folder, options and pipeline settings; or why it cannot be served.
/// </summary>
internal sealed record InstanceDefinition
{
    public required string Name { get; init; }

    public required string Type { get; init; }

    /// <summary>The instance file; empty for a broken folder no instance names.</summary>
    public required string ConfigFile { get; init; }

    public string? Folder { get; init; }

    public string Version { get; init; } = "?";

    public PluginConfiguration? Configuration { get; init; }

    public ICredentialStore? Credentials { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public PipelineSettings? Pipeline { get; init; }

    /// <summary>Where the plugin runs: in the host, or in a worker process of its own.</summary>
    public IsolationSettings Isolation { get; init; } = IsolationSettings.None;

    /// <summary>The loaded folder that provides <see cref="Type"/>; null when <see cref="Error"/> says why not.</summary>
    public PluginPackage? Package { get; init; }

    /// <summary>Why the instance cannot be served (a broken or missing plugin folder); null when it can be constructed.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// Identifies what the instance is built from (its file, its folder's files, the credentials file, the
    /// host log level): equal fingerprints on reload mean the running instance is kept as it is.
    /// </summary>
    public string Fingerprint { get; init; } = string.Empty;
}
