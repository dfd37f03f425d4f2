namespace MfaHost.Client;

/// <summary>One entry of the <c>plugins</c> result.</summary>
public sealed class PluginInfo
{
    /// <summary>The instance name.</summary>
    public required string Name { get; init; }

    /// <summary>The plugin type.</summary>
    public required string Type { get; init; }

    /// <summary>The plugin's version.</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>Capability words: <c>push</c>, <c>otp</c>, <c>password</c>.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary><c>loaded</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Why the instance failed to load; null when loaded.</summary>
    public string? Error { get; init; }

    /// <summary>The instance's circuit breaker: <c>closed</c>, <c>open</c> or <c>half_open</c>; null for a failed instance (or an older host).</summary>
    public string? Circuit { get; init; }
}
