namespace MfaHost.Client;

/// <summary>The result of <c>authenticate</c>. A DENY is a result, not an error.</summary>
public sealed class AuthenticateResult
{
    /// <summary><c>ACCEPT</c>, <c>DENY</c> or <c>NEEDINFO</c>.</summary>
    public required string Verdict { get; init; }

    /// <summary>The stable reason word (<c>accepted</c>, <c>authentication_failed</c>, <c>timeout</c> ...).</summary>
    public required string Reason { get; init; }

    /// <summary>Short text that may be shown to the end user.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>NEEDINFO: the prompt to show.</summary>
    public string? Question { get; init; }

    /// <summary>NEEDINFO: what the question asks for (<c>otp</c>, or a configured question's key).</summary>
    public string? Key { get; init; }

    /// <summary>NEEDINFO: whether to hide what the user types.</summary>
    public bool? DisableEcho { get; init; }

    /// <summary>ACCEPT and DENY: the identity that was used.</summary>
    public string? MfaIdentity { get; init; }

    /// <summary>ACCEPT: the host-signed session token, when the host issues them. A secret.</summary>
    public string? SessionToken { get; init; }

    /// <summary>Plugin data for the gateway; null when there is none. Values may be secrets.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>True for ACCEPT.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsAccept => Verdict == "ACCEPT";

    /// <summary>True for DENY.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsDeny => Verdict == "DENY";

    /// <summary>True for NEEDINFO.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsNeedInfo => Verdict == "NEEDINFO";

    /// <summary>Verdict, reason and message; never the token or metadata values.</summary>
    public override string ToString() => $"{Verdict} {Reason}" + (Message.Length > 0 ? $": {Message}" : string.Empty);
}
