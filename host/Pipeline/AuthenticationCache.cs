using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MfaHost.PluginSdk;
using MfaHost.Configuration;

namespace MfaHost.Pipeline;

/// <summary>
/// Recent real authentications by (instance, user, client IP) that may be reused without MFA, under the
/// instance's <see cref="AuthenticationCacheSettings"/>, kept in the host's state (in memory for one host; the shared
/// PostgreSQL store for several, so a cached login works on any of them). The user compares exactly: a cached MFA of
/// one account never lets in another whose name differs only in case.
/// </summary>
/// <remarks>
/// An entry <c>authcache/&lt;hash of the key&gt;</c> holds the real authentication's id and time and the last use, and
/// expires at the earlier of soft and hard timeout. Reuses are counted by an atomic counter per real authentication,
/// so hosts racing to reuse one entry get at most <see cref="AuthenticationCacheSettings.ReuseLimit"/> reuses between
/// them; a lost race on the last-use time only ever shortens the soft timeout.
/// </remarks>
internal sealed class AuthenticationCache(IStateStore store, TimeProvider timeProvider)
{
    /// <summary>Uses the cached authentication once if it is still valid; false otherwise.</summary>
    public async ValueTask<bool> TryReuseAsync(CacheKey key, AuthenticationCacheSettings settings, CancellationToken cancellationToken)
    {
        var entryKey = EntryKey(key);
        if (await store.GetAsync(entryKey, cancellationToken) is not { } stored || Entry.Parse(stored) is not { } entry)
        {
            return false;
        }

        var now = timeProvider.GetUtcNow();
        if (now - entry.Authenticated >= settings.HardTimeout || now - entry.LastUsed >= settings.SoftTimeout)
        {
            return false;
        }

        var hardExpiry = entry.Authenticated + settings.HardTimeout;
        if (await store.IncrementAsync("authcache-uses/" + entry.Id, hardExpiry, cancellationToken) > settings.ReuseLimit)
        {
            return false;
        }

        await store.SetAsync(entryKey, (entry with { LastUsed = now }).ToString(), Earlier(now + settings.SoftTimeout, hardExpiry), cancellationToken);
        return true;
    }

    /// <summary>Records a real authentication: the reuse count starts again.</summary>
    public ValueTask RefreshAsync(CacheKey key, AuthenticationCacheSettings settings, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var entry = new Entry(Convert.ToHexString(RandomNumberGenerator.GetBytes(12)), now, now);
        return store.SetAsync(EntryKey(key), entry.ToString(), Earlier(now + settings.SoftTimeout, now + settings.HardTimeout), cancellationToken);
    }

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    // Hashed: keys stay short whatever the user name, and the store lists no user names and addresses.
    private static string EntryKey(CacheKey key) =>
        "authcache/" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.Instance + "\n" + key.User + "\n" + key.ClientIp)));

    internal readonly record struct CacheKey(string Instance, string User, string ClientIp);

    private sealed record Entry(string Id, DateTimeOffset Authenticated, DateTimeOffset LastUsed)
    {
        public static Entry? Parse(string stored)
        {
            var parts = stored.Split(':');
            return parts.Length == 3 &&
                long.TryParse(parts[1], CultureInfo.InvariantCulture, out var authenticated) &&
                long.TryParse(parts[2], CultureInfo.InvariantCulture, out var lastUsed)
                ? new Entry(parts[0], DateTimeOffset.FromUnixTimeMilliseconds(authenticated), DateTimeOffset.FromUnixTimeMilliseconds(lastUsed))
                : null;
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Id}:{Authenticated.ToUnixTimeMilliseconds()}:{LastUsed.ToUnixTimeMilliseconds()}");
    }
}
