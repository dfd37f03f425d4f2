namespace MfaHost.PluginSdk.Testing;

/// <summary>One <c>authenticate</c> call as a gateway sends it (field for field the protocol's params).</summary>
public sealed record TestAuthentication
{
    /// <summary>The user as the gateway knows them.</summary>
    public required string Username { get; init; }

    /// <summary>The gateway's session; a NEEDINFO answer must come with the same one.</summary>
    public string SessionId { get; init; } = "test-session";

    /// <summary>The identity at the MFA service; null lets <c>[usermapping]</c> and <c>[username_transform]</c> decide.</summary>
    public string? MfaIdentity { get; init; }

    /// <summary>The one-time password; null or empty means push (or the question, on interactive protocols).</summary>
    public string? MfaPassword { get; init; }

    /// <summary>The user's primary password, for plugins that take one.</summary>
    public string? Password { get; init; }

    /// <summary>The answer to the last NEEDINFO of <see cref="SessionId"/>.</summary>
    public string? Answer { get; init; }

    /// <summary>The client's address (the authentication cache keys on it).</summary>
    public string? ClientIp { get; init; } = "192.0.2.10";

    /// <summary>The protocol (<c>ssh</c>, <c>rdp</c>, ...): interactive ones are asked for a one-time password.</summary>
    public string? Protocol { get; init; }

    /// <summary>What the user logs in to.</summary>
    public string? Target { get; init; }

    /// <summary>Further attributes (for example <c>otp</c>).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
