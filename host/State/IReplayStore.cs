namespace MfaHost.State;

/// <summary>
/// Replay protection: a one-time value (token, ticket, used code) is claimed once, and every later
/// claim of it fails until its absolute expiry. Backed by an <see cref="MfaHost.PluginSdk.IStateStore"/>,
/// so tokens, tickets and used TOTP steps share one mechanism and a shared database can back all of them.
/// </summary>
internal interface IReplayStore
{
    /// <summary>True for the first claim of <paramref name="key"/> (atomic under concurrency), false for every later one.</summary>
    ValueTask<bool> TryClaimAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="key"/> has been claimed and not yet expired.</summary>
    ValueTask<bool> IsClaimedAsync(string key, CancellationToken cancellationToken);
}
