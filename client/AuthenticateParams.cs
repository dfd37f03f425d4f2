namespace MfaHost.Client;

/// <summary>The params of <c>authenticate</c>. <see cref="ToString"/> never shows the secrets.</summary>
public sealed class AuthenticateParams
{
    /// <summary>The plugin instance to ask (e.g. <c>totp</c>). Required.</summary>
    public required string Plugin { get; init; }

    /// <summary>The gateway's id of this login attempt; ties NEEDINFO round trips and <c>session_ended</c> together. Required.</summary>
    public required string SessionId { get; init; }

    /// <summary>The gateway user. Required.</summary>
    public required string Username { get; init; }

    /// <summary>The identity at the MFA service; default: the plugin's user mapping of <see cref="Username"/>.</summary>
    public string? MfaIdentity { get; init; }

    /// <summary>The one-time password; null or empty means push. A secret.</summary>
    public string? MfaPassword { get; init; }

    /// <summary>The primary password, for plugins whose logon needs it. A secret.</summary>
    public string? Password { get; init; }

    /// <summary>The answer to the last NEEDINFO of this session. May be a secret.</summary>
    public string? Answer { get; init; }

    /// <summary>The client's address.</summary>
    public string? ClientIp { get; init; }

    /// <summary>The connection's protocol (<c>ssh</c>, <c>rdp</c> ...).</summary>
    public string? Protocol { get; init; }

    /// <summary>Where the user is going.</summary>
    public string? Target { get; init; }

    /// <summary>Further key/value pairs from the gateway.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>A copy with <see cref="Answer"/> set, for the next round trip after a NEEDINFO.</summary>
    /// <param name="answer">The user's answer.</param>
    public AuthenticateParams WithAnswer(string answer) => new()
    {
        Plugin = Plugin,
        SessionId = SessionId,
        Username = Username,
        MfaIdentity = MfaIdentity,
        MfaPassword = MfaPassword,
        Password = Password,
        Answer = answer,
        ClientIp = ClientIp,
        Protocol = Protocol,
        Target = Target,
        Attributes = Attributes,
    };

    /// <summary>Plugin, session and user; never the secrets.</summary>
    public override string ToString() => $"authenticate plugin={Plugin} session_id={SessionId} username={Username}";
}
