using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using MfaHost.Configuration;

namespace MfaHost.Tickets;

/// <summary>
/// Session tokens: the ACCEPT verdict's host-signed proof (HMAC-SHA256) naming user, plugin, session id,
/// issue and expiry time. A caller exchanges it for application tickets; it is void after
/// <c>session_ended</c> for its session.
/// </summary>
internal sealed class SessionTokenService : ISessionEndedListener
{
    public const string Prefix = "mfas_";

    private readonly byte[] _key;
    private readonly IStateStore _store;
    private readonly TicketSettings _settings;
    private readonly TimeProvider _timeProvider;

    public SessionTokenService(IStateStore store, TicketSettings settings, TimeProvider timeProvider)
    {
        _store = store;
        _settings = settings;
        _timeProvider = timeProvider;
        _key = settings.SigningKey ?? RandomNumberGenerator.GetBytes(32);
    }

    public string Issue(string username, string plugin, string sessionId)
    {
        var now = _timeProvider.GetUtcNow();
        var claims = new SessionTokenClaims(username, plugin, sessionId, now.ToUnixTimeMilliseconds(), (now + _settings.SessionTokenTtl).ToUnixTimeMilliseconds());
        var payload = SecretText.Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims, TicketJsonContext.Default.SessionTokenClaims));
        return Prefix + payload + "." + SecretText.Base64Url(Sign(payload));
    }

    /// <summary>The claims of a valid token.</summary>
    /// <exception cref="TicketRefusedException"><c>token_invalid</c> (forged, malformed, session ended) or <c>token_expired</c>.</exception>
    public async Task<SessionTokenClaims> ValidateAsync(string? token, CancellationToken cancellationToken)
    {
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal) || token.IndexOf('.', StringComparison.Ordinal) is var dot && dot < 0)
        {
            throw new TicketRefusedException(ReasonWords.TokenInvalid, "the session token is malformed");
        }

        var payload = token[Prefix.Length..dot];
        var signature = SecretText.FromBase64Url(token[(dot + 1)..]);
        if (signature is null || !CryptographicOperations.FixedTimeEquals(signature, Sign(payload)))
        {
            throw new TicketRefusedException(ReasonWords.TokenInvalid, "the session token's signature does not verify (issued by another host or altered?)");
        }

        SessionTokenClaims? claims;
        try
        {
            claims = JsonSerializer.Deserialize(SecretText.FromBase64Url(payload) ?? [], TicketJsonContext.Default.SessionTokenClaims);
        }
        catch (JsonException)
        {
            claims = null;
        }

        if (claims is null)
        {
            throw new TicketRefusedException(ReasonWords.TokenInvalid, "the session token's content is malformed");
        }

        if (_timeProvider.GetUtcNow().ToUnixTimeMilliseconds() >= claims.ExpiresAt)
        {
            throw new TicketRefusedException(ReasonWords.TokenExpired, "the session token has expired; authenticate again");
        }

        if (await _store.GetAsync("ended/" + claims.SessionId, cancellationToken) is { } ended &&
            long.TryParse(ended, System.Globalization.CultureInfo.InvariantCulture, out var endedAt) && claims.IssuedAt <= endedAt)
        {
            throw new TicketRefusedException(ReasonWords.TokenInvalid, "the session of this token has ended");
        }

        return claims;
    }

    /// <summary>Voids every token issued so far for <paramref name="sessionId"/> (the session ended: explicitly, idle or evicted).</summary>
    public ValueTask SessionEndedAsync(string sessionId, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        return _store.SetAsync(
            "ended/" + sessionId,
            now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            now + _settings.SessionTokenTtl,
            cancellationToken);
    }

    private byte[] Sign(string payload) => HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(payload));
}

/// <summary>What a session token says.</summary>
internal sealed record SessionTokenClaims(
    [property: JsonPropertyName("u")] string User,
    [property: JsonPropertyName("p")] string Plugin,
    [property: JsonPropertyName("s")] string SessionId,
    [property: JsonPropertyName("iat")] long IssuedAt,
    [property: JsonPropertyName("exp")] long ExpiresAt);

[JsonSerializable(typeof(SessionTokenClaims))]
internal sealed partial class TicketJsonContext : JsonSerializerContext;
