using System.Collections.Concurrent;

namespace MfaHost.Pipeline;

/// <summary>
/// Recent real authentications by (instance, user, client IP) that may be reused without MFA, under the
/// instance's <see cref="AuthenticationCacheSettings"/>. The user compares exactly: a cached MFA of one
/// account never lets in another whose name differs only in case. Entries past their hard timeout are swept.
/// </summary>
internal sealed class AuthenticationCache(TimeProvider timeProvider)
{
    private static readonly long SweepIntervalTicks = TimeSpan.FromSeconds(60).Ticks;
    private readonly ConcurrentDictionary<CacheKey, Entry> _entries = new();
    private long _nextSweepTicks;

    public int Count => _entries.Count;

    /// <summary>Uses the cached authentication once if it is still valid; false (and forgets it) otherwise.</summary>
    public bool TryReuse(CacheKey key, AuthenticationCacheSettings settings)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        var now = timeProvider.GetUtcNow();
        lock (entry)
        {
            if (!entry.Removed &&
                entry.Reuses < settings.ReuseLimit &&
                now - entry.Authenticated < settings.HardTimeout &&
                now - entry.LastUsed < settings.SoftTimeout)
            {
                entry.Reuses++;
                entry.LastUsed = now;
                return true;
            }

            entry.Removed = true;
        }

        _entries.TryRemove(new KeyValuePair<CacheKey, Entry>(key, entry));
        return false;
    }

    /// <summary>Records a real authentication: the reuse count starts again.</summary>
    public void Refresh(CacheKey key, AuthenticationCacheSettings settings)
    {
        var now = timeProvider.GetUtcNow();
        SweepIfDue(now);
        _entries[key] = new Entry { Authenticated = now, LastUsed = now, ExpiresAt = now + settings.HardTimeout };
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        var due = Volatile.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, now.UtcTicks + SweepIntervalTicks, due) != due)
        {
            return;
        }

        foreach (var pair in _entries)
        {
            if (pair.Value.ExpiresAt <= now)
            {
                _entries.TryRemove(pair);
            }
        }
    }

    internal readonly record struct CacheKey(string Instance, string User, string ClientIp);

    private sealed class Entry
    {
        public required DateTimeOffset Authenticated { get; init; }

        public required DateTimeOffset ExpiresAt { get; init; }

        public DateTimeOffset LastUsed { get; set; }

        public int Reuses { get; set; }

        public bool Removed { get; set; }
    }
}
