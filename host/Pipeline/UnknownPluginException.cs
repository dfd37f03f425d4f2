namespace MfaHost.Pipeline;

/// <summary>An <c>authenticate</c> call named a plugin instance that is not configured or failed to load.</summary>
internal sealed class UnknownPluginException(string plugin, string? loadError)
    : Exception(loadError is null ? $"no plugin instance named '{plugin}' is configured" : $"plugin instance '{plugin}' failed to load: {loadError}")
{
    public string Plugin { get; } = plugin;

    /// <summary>Null when no such instance exists; the reason when it exists but failed to load.</summary>
    public string? LoadError { get; } = loadError;

    /// <summary>The stable <c>error.data.reason</c> word.</summary>
    public string ReasonWord => LoadError is null ? "unknown_plugin" : "plugin_unavailable";
}
