namespace MfaHost.Pipeline;

/// <summary>
/// <c>[connection_limit] limit</c>: the accepted sessions per (instance, user, client IP), each counted from
/// its ACCEPT until it ends. Users compare case-insensitively, so a change of case gains no extra sessions.
/// Only instances with a limit use it, so its lock is off the path of every other request.
/// </summary>
internal sealed class ConnectionLimiter
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SlotKey, HashSet<string>> _slots = [];
    private readonly Dictionary<string, List<SlotKey>> _bySession = new(StringComparer.Ordinal);

    public static SlotKey KeyOf(string instance, string username, string? clientIp) =>
        new(instance, username.ToLowerInvariant(), clientIp ?? string.Empty);

    /// <summary>Whether a new session for <paramref name="key"/> would be beyond <paramref name="limit"/>.</summary>
    public bool IsFull(SlotKey key, string sessionId, int limit)
    {
        lock (_lock)
        {
            return _slots.TryGetValue(key, out var sessions) && !sessions.Contains(sessionId) && sessions.Count >= limit;
        }
    }

    /// <summary>Counts <paramref name="sessionId"/> against <paramref name="key"/>; false when that would exceed <paramref name="limit"/>.</summary>
    public bool TryAcquire(SlotKey key, string sessionId, int limit)
    {
        lock (_lock)
        {
            if (!_slots.TryGetValue(key, out var sessions))
            {
                sessions = new HashSet<string>(StringComparer.Ordinal);
                _slots[key] = sessions;
            }

            if (sessions.Contains(sessionId))
            {
                return true;
            }

            if (sessions.Count >= limit)
            {
                return false;
            }

            sessions.Add(sessionId);
            if (!_bySession.TryGetValue(sessionId, out var keys))
            {
                keys = [];
                _bySession[sessionId] = keys;
            }

            keys.Add(key);
            return true;
        }
    }

    /// <summary>Frees every slot <paramref name="sessionId"/> holds.</summary>
    public void Release(string sessionId)
    {
        lock (_lock)
        {
            if (!_bySession.Remove(sessionId, out var keys))
            {
                return;
            }

            foreach (var key in keys)
            {
                if (_slots.TryGetValue(key, out var sessions) && sessions.Remove(sessionId) && sessions.Count == 0)
                {
                    _slots.Remove(key);
                }
            }
        }
    }

    public int Count(SlotKey key)
    {
        lock (_lock)
        {
            return _slots.TryGetValue(key, out var sessions) ? sessions.Count : 0;
        }
    }

    internal readonly record struct SlotKey(string Instance, string User, string ClientIp);
}
