namespace MfaHost.Pipeline;

/// <summary>The params of one <c>authenticate</c> call, as the protocol layer decoded them.</summary>
internal sealed record AuthenticationRequest
{
    private static readonly IReadOnlyDictionary<string, string> NoAttributes = new Dictionary<string, string>();

    public required string Plugin { get; init; }

    public required string SessionId { get; init; }

    public required string Username { get; init; }

    public string? MfaIdentity { get; init; }

    /// <summary>A secret: never logged.</summary>
    public string? MfaPassword { get; init; }

    /// <summary>A secret: never logged.</summary>
    public string? Password { get; init; }

    /// <summary>The answer to the last NEEDINFO of this session; may be a secret.</summary>
    public string? Answer { get; init; }

    public string? ClientIp { get; init; }

    public string? Protocol { get; init; }

    public string? Target { get; init; }

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = NoAttributes;
}
