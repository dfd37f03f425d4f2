namespace MfaHost.Client;

/// <summary>The result of <c>health</c>.</summary>
public sealed class HealthResult
{
    /// <summary><c>ok</c> when the host serves; <c>degraded</c> when it serves with <see cref="Problems"/> or some instances failed to load (<see cref="FailedPlugins"/>).</summary>
    public required string Status { get; init; }

    /// <summary>The host's version.</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>Seconds since the host started serving.</summary>
    public long UptimeS { get; init; }

    /// <summary>Plugin instances loaded.</summary>
    public int PluginsLoaded { get; init; }

    /// <summary>Requests running now (those that count toward <c>max_in_flight</c>).</summary>
    public int InFlight { get; init; }

    /// <summary>The instances that failed to load (the host serves the others); empty when <see cref="Status"/> is <c>ok</c>.</summary>
    public IReadOnlyList<string> FailedPlugins
    {
        get => _failedPlugins ?? [];
        init => _failedPlugins = value;
    }

    private readonly IReadOnlyList<string>? _failedPlugins;

    /// <summary>The configuration generation serving: 1 at start, one more per reload that took effect.</summary>
    public long? ConfigGeneration { get; init; }

    /// <summary>When the serving configuration was read.</summary>
    public DateTimeOffset? ConfigLoadedAt { get; init; }

    /// <summary>Why the status is not <c>ok</c> (for example the state store's failure); null when ok.</summary>
    public IReadOnlyList<string>? Problems { get; init; }
}
