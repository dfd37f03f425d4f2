namespace MfaHost.PluginSdk;

/// <summary>One authentication request as a plugin sees it, after the host's pipeline has run.</summary>
public sealed record MfaRequest
{
    private static readonly IReadOnlyDictionary<string, string> NoAttributes = new Dictionary<string, string>();

    /// <summary>The gateway user.</summary>
    public required string Username { get; init; }

    /// <summary>The identity at the MFA service, after user mapping.</summary>
    public required string MfaIdentity { get; init; }

    /// <summary>The one-time password; null or empty means push. A secret: never log it.</summary>
    public string? MfaPassword { get; init; }

    /// <summary>The user's primary password, for services whose logon needs it. A secret: never log it.</summary>
    public string? Password { get; init; }

    /// <summary>The session this request belongs to.</summary>
    public required MfaSession Session { get; init; }

    /// <summary>The client's address, as the gateway reports it.</summary>
    public string? ClientIp { get; init; }

    /// <summary>The protocol of the connection (<c>ssh</c>, <c>rdp</c>, <c>https</c> ...).</summary>
    public string? Protocol { get; init; }

    /// <summary>Where the user is going (a host name, a URL).</summary>
    public string? Target { get; init; }

    /// <summary>
    /// Number matching (<c>[push] number_matching = yes</c>): the two-digit number the host showed the user
    /// before this push, for a service that makes the user pick it on the device; null when not in use.
    /// </summary>
    public int? PushNumber { get; init; }

    /// <summary>Further key/value pairs from the gateway.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = NoAttributes;
}
