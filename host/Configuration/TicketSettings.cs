namespace MfaHost.Configuration;

/// <summary><c>[tokens]</c> and <c>[tickets]</c> of the host file.</summary>
internal sealed record TicketSettings
{
    /// <summary>A one-time token's lifetime when <c>token_create</c> names none.</summary>
    public TimeSpan TokenDefaultTtl { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary><c>[tokens] max_ttl</c>: the longest lifetime a token may be given.</summary>
    public TimeSpan TokenMaxTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary><c>[tickets] ttl</c>: an application ticket's lifetime (60 to 600 s).</summary>
    public TimeSpan TicketTtl { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>[tickets] session_token_ttl</c>: how long an ACCEPT's session token can be exchanged for tickets.</summary>
    public TimeSpan SessionTokenTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>[tickets] signing_key</c> (a secret, usually <c>$</c>), shared by hosts that verify each other's tokens; null = a random key per start.</summary>
    public byte[]? SigningKey { get; init; }
}
