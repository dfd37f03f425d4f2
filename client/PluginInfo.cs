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

    /// <summary>The instance's host-enforced limits and how many identities they hold back now; null for a failed instance (or an older host).</summary>
    public PluginLimitsInfo? Limits { get; init; }
}

/// <summary>The <c>limits</c> of a <c>plugins</c> entry.</summary>
public sealed class PluginLimitsInfo
{
    /// <summary><c>[lockout] failures</c> (0: no lock-out).</summary>
    public int LockoutFailures { get; init; }

    /// <summary><c>[lockout] window</c> in seconds.</summary>
    public long LockoutWindowS { get; init; }

    /// <summary><c>[lockout] duration</c> in seconds.</summary>
    public long LockoutDurationS { get; init; }

    /// <summary><c>[push_limit] max</c> (0: no limit).</summary>
    public int PushMax { get; init; }

    /// <summary><c>[push_limit] window</c> in seconds.</summary>
    public long PushWindowS { get; init; }

    /// <summary><c>[push] number_matching</c>.</summary>
    public bool NumberMatching { get; init; }

    /// <summary>Identities locked out now.</summary>
    public int LockedOut { get; init; }

    /// <summary>Identities at their push limit now.</summary>
    public int PushRateLimited { get; init; }
}
