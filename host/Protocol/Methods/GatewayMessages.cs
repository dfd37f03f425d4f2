namespace MfaHost.Protocol.Methods;

// The params and results of the gateway methods, as they are on the wire (snake_case through
// GatewayJsonContext). Params are all nullable: the methods check what is required and answer
// -32602 missing_field themselves, naming the field.

/// <summary>The params of <c>authenticate</c>.</summary>
internal sealed class AuthenticateParams
{
    public string? Plugin { get; set; }

    public string? SessionId { get; set; }

    public string? Username { get; set; }

    public string? MfaIdentity { get; set; }

    /// <summary>A secret.</summary>
    public string? MfaPassword { get; set; }

    /// <summary>A secret.</summary>
    public string? Password { get; set; }

    /// <summary>May be a secret.</summary>
    public string? Answer { get; set; }

    public string? ClientIp { get; set; }

    public string? Protocol { get; set; }

    public string? Target { get; set; }

    public Dictionary<string, string>? Attributes { get; set; }
}

/// <summary>The result of <c>authenticate</c>; absent fields are not written.</summary>
internal sealed class AuthenticateResult
{
    public required string Verdict { get; init; }

    public required string Reason { get; init; }

    public required string Message { get; init; }

    public string? Question { get; init; }

    public string? Key { get; init; }

    public bool? DisableEcho { get; init; }

    public string? MfaIdentity { get; init; }

    public string? SessionToken { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>The params of <c>session_ended</c>.</summary>
internal sealed class SessionEndedParams
{
    public string? SessionId { get; set; }
}

/// <summary>The result of <c>session_ended</c>.</summary>
internal sealed record SessionEndedResult(bool Ended);

/// <summary>One entry of the <c>plugins</c> result; <c>circuit</c> (<c>closed</c>, <c>open</c>, <c>half_open</c>) for loaded instances only.</summary>
internal sealed record PluginEntry(string Name, string Type, string Version, IReadOnlyList<string> Capabilities, string Status, string? Error, string? Circuit = null, PluginLimits? Limits = null);

/// <summary>An instance's host-enforced limits in <c>plugins</c>: the settings and how many identities they hold back now.</summary>
internal sealed record PluginLimits(int LockoutFailures, long LockoutWindowS, long LockoutDurationS, int PushMax, long PushWindowS, bool NumberMatching, int LockedOut, int PushRateLimited);

/// <summary>The result of <c>plugins</c>.</summary>
internal sealed record PluginsResult(IReadOnlyList<PluginEntry> Plugins);

/// <summary>The result of <c>health</c>; <c>problems</c> and <c>failed_plugins</c> only when <c>status</c> is <c>degraded</c>.</summary>
internal sealed record HealthResult(string Status, string Version, long UptimeS, int PluginsLoaded, int InFlight, IReadOnlyList<string>? Problems = null, long? ConfigGeneration = null, DateTimeOffset? ConfigLoadedAt = null, IReadOnlyList<string>? FailedPlugins = null);

/// <summary>The result of <c>reload</c>: whether the new configuration serves, and what changed or why not.</summary>
internal sealed record ReloadMethodResult(
    bool Applied,
    long Generation,
    DateTimeOffset LoadedAt,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Changed,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> RestartRequired);
