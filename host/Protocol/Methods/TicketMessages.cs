namespace MfaHost.Protocol.Methods;

/// <summary>The params of <c>token_create</c>.</summary>
internal sealed class TokenCreateParams
{
    public string? Username { get; set; }

    public long? TtlS { get; set; }
}

/// <summary>The result of <c>token_create</c>: the token is shown this once.</summary>
internal sealed record TokenCreateResult(string Token, DateTimeOffset ExpiresAt);

/// <summary>The params of <c>ticket</c>.</summary>
internal sealed class TicketParams
{
    /// <summary>A secret.</summary>
    public string? SessionToken { get; set; }

    public string? Applid { get; set; }
}

/// <summary>The result of <c>ticket</c>.</summary>
internal sealed record TicketResult(string UserId, string Ticket, string ApplicationName, DateTimeOffset ExpiresAt);

/// <summary>The params of <c>ticket_verify</c>.</summary>
internal sealed class TicketVerifyParams
{
    public string? UserId { get; set; }

    public string? Applid { get; set; }

    /// <summary>A secret.</summary>
    public string? Ticket { get; set; }
}

/// <summary>The result of <c>ticket_verify</c>.</summary>
internal sealed record TicketVerifyResult(bool Valid, string? Reason);
