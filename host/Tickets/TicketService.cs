using System.Globalization;
using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Configuration;

namespace MfaHost.Tickets;

/// <summary>
/// Application tickets (the PassTicket pattern): a trusted local caller exchanges an ACCEPT's session token
/// and an APPLID for a short-lived, single-use ticket; the target application has the host verify it once.
/// Which caller may ask for which APPLID is the protocol layer's access check; this service checks the rest.
/// </summary>
internal sealed class TicketService(IStateStore store, IReplayStore replay, SessionTokenService sessionTokens, TicketSettings settings, TimeProvider timeProvider)
{
    /// <summary>The APPLID, upper-cased, when it is 1 to 8 characters of A-Z0-9@#$.</summary>
    /// <exception cref="TicketRefusedException"><c>applid_invalid</c>.</exception>
    public static string NormalizeApplid(string? applid)
    {
        return Applid.Normalize(applid)
            ?? throw new TicketRefusedException(ReasonWords.ApplidInvalid, "applid must be " + Applid.Rule);
    }

    public async Task<IssuedTicket> IssueAsync(string? sessionToken, string applid, CancellationToken cancellationToken)
    {
        var application = NormalizeApplid(applid);
        var claims = await sessionTokens.ValidateAsync(sessionToken, cancellationToken);
        var ticket = SecretText.Ticket();
        var expiresAt = timeProvider.GetUtcNow() + settings.TicketTtl;

        // Kept past its expiry for as long again, so a late verify says "expired" rather than "unknown".
        await store.SetAsync(
            Key(claims.User, application, ticket),
            expiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            expiresAt + settings.TicketTtl,
            cancellationToken);
        return new IssuedTicket(claims.User, ticket, application, expiresAt);
    }

    /// <summary>Null when valid (the first verify only); else <c>replayed</c>, <c>expired</c> or <c>unknown</c>.</summary>
    public async Task<string?> VerifyAsync(string userId, string applid, string ticket, CancellationToken cancellationToken)
    {
        string application;
        try
        {
            application = NormalizeApplid(applid);
        }
        catch (TicketRefusedException)
        {
            return "unknown";
        }

        var key = Key(userId, application, ticket.Trim().ToUpperInvariant());
        var stored = await store.GetAsync(key, cancellationToken);
        if (stored is null || !long.TryParse(stored, CultureInfo.InvariantCulture, out var expiresAtMs))
        {
            return "unknown";
        }

        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(expiresAtMs);
        if (await replay.IsClaimedAsync(key, cancellationToken))
        {
            return MfaReasons.Replayed;
        }

        if (timeProvider.GetUtcNow() >= expiresAt)
        {
            return "expired";
        }

        return await replay.TryClaimAsync(key, expiresAt + settings.TicketTtl, cancellationToken) ? null : MfaReasons.Replayed;
    }

    // Tickets are stored by hash: the store never holds a usable ticket.
    private static string Key(string user, string applid, string ticket) => "ticket/" + SecretText.Hash(user + "\n" + applid + "\n" + ticket);
}

internal sealed record IssuedTicket(string UserId, string Ticket, string ApplicationName, DateTimeOffset ExpiresAt);
