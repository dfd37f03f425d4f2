using System.Globalization;
using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Configuration;

namespace MfaHost.Tickets;

/// <summary>
/// Administrator-issued one-time tokens: at least 128 bits of randomness, shown once, stored only as a
/// hash (in memory by default, so a restart voids them), accepted exactly once as the user's
/// <c>mfa_password</c> by instances with <c>[auth] allow_one_time_tokens = yes</c>.
/// </summary>
internal sealed class OneTimeTokenService(IStateStore store, IReplayStore replay, TicketSettings settings, TimeProvider timeProvider)
{
    /// <summary>Every token starts with this, so it is never mistaken for a one-time password.</summary>
    public const string Prefix = "mfat_";

    public static bool LooksLikeToken(string? value) => value is not null && value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Creates a token for <paramref name="username"/>; the returned value is the only copy.</summary>
    /// <exception cref="ArgumentException">An empty user, or a lifetime out of range.</exception>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> CreateAsync(string username, TimeSpan? ttl, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(username))
        {
            throw new ArgumentException("username is required", nameof(username));
        }

        var lifetime = ttl ?? settings.TokenDefaultTtl;
        if (lifetime <= TimeSpan.Zero || lifetime > settings.TokenMaxTtl)
        {
            throw new ArgumentException(
                $"ttl_s must be between 1 and {settings.TokenMaxTtl.TotalSeconds.ToString(CultureInfo.InvariantCulture)} ([tokens] max_ttl)", nameof(ttl));
        }

        var token = SecretText.Random(Prefix, 32);
        var expiresAt = timeProvider.GetUtcNow() + lifetime;
        await store.SetAsync("token/" + SecretText.Hash(token), username, expiresAt, cancellationToken);
        return (token, expiresAt);
    }

    /// <summary>
    /// Redeems <paramref name="presented"/> for <paramref name="username"/>: ACCEPT <c>one_time_token</c> the first
    /// time, DENY <c>replayed</c> after that, DENY <c>authentication_failed</c> for an unknown, expired or
    /// other user's token (which is then not spent).
    /// </summary>
    public async Task<MfaVerdict> RedeemAsync(string username, string presented, CancellationToken cancellationToken)
    {
        // Looked up by hash: the stored value is never the token, and the lookup does not compare secrets.
        var hash = SecretText.Hash(presented);
        var owner = await store.GetAsync("token/" + hash, cancellationToken);
        if (owner is null)
        {
            return await replay.IsClaimedAsync("token/" + hash, cancellationToken)
                ? MfaVerdict.Deny(MfaReasons.Replayed, "This one-time token has already been used")
                : MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "Unknown or expired one-time token");
        }

        if (!string.Equals(owner, username, StringComparison.Ordinal))
        {
            return MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "Unknown or expired one-time token");
        }

        var (_, expiresAt) = await store.TryGetExpiryAsync("token/" + hash, cancellationToken);
        if (!await replay.TryClaimAsync("token/" + hash, expiresAt ?? timeProvider.GetUtcNow() + settings.TokenMaxTtl, cancellationToken))
        {
            return MfaVerdict.Deny(MfaReasons.Replayed, "This one-time token has already been used");
        }

        await store.RemoveAsync("token/" + hash, cancellationToken);
        return MfaVerdict.Accept(MfaReasons.OneTimeToken, "One-time token accepted");
    }
}
