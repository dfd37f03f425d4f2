using Microsoft.Extensions.Logging;

namespace MfaHost.PluginSdk;

/// <summary>What the host hands a plugin instance when it creates it.</summary>
public sealed class MfaPluginContext
{
    /// <summary>The instance name (the INI file's name without <c>.ini</c>).</summary>
    public required string InstanceName { get; init; }

    /// <summary>The instance's INI file.</summary>
    public required PluginConfiguration Configuration { get; init; }

    /// <summary>The instance's logger. Never log a secret.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>The clock; tests drive it by hand.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where <c>$</c> secrets come from.</summary>
    public required ICredentialStore Credentials { get; init; }

    /// <summary>HTTP clients that honour <c>[tls]</c> and <c>[https_proxy]</c>.</summary>
    public required IPluginHttpClientFactory HttpClientFactory { get; init; }

    /// <summary>The host's state store, in this instance's namespace.</summary>
    public required IStateStore State { get; init; }

    /// <summary>
    /// A folder for this instance's own files, such as a key it generates (<c>&lt;data_dir&gt;/plugins/&lt;instance&gt;</c>
    /// in the host). It may not exist yet: the plugin creates it when it writes there, readable by the host's user only.
    /// Null when the host gives none (then such files cannot be kept).
    /// </summary>
    public string? DataDirectory { get; init; }
}
