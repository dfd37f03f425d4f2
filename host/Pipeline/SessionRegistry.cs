using System.Collections.Concurrent;

namespace MfaHost.Pipeline;

/// <summary>
/// The sessions the pipeline knows by <c>session_id</c>: those a plugin saw and those that were accepted.
/// Bounded by <see cref="Capacity"/>: the owner ends the least recently used (<see cref="RemoveLeastRecentlyUsed"/>)
/// when <see cref="IsOverCapacity"/>, and idle ones (<see cref="RemoveIdle"/>) on a timer.
/// </summary>
internal sealed class SessionRegistry(TimeProvider timeProvider, int capacity)
{
    private readonly ConcurrentDictionary<string, TrackedSession> _sessions = new(StringComparer.Ordinal);
    private int _count;

    public int Capacity => capacity;

    public int Count => Volatile.Read(ref _count);

    public bool IsOverCapacity => Count > capacity;

    /// <summary>The live session of that id, created if new, marked as used now.</summary>
    public TrackedSession Track(string sessionId)
    {
        var now = timeProvider.GetUtcNow();
        while (true)
        {
            if (!_sessions.TryGetValue(sessionId, out var session))
            {
                var created = new TrackedSession(sessionId, now);
                session = _sessions.GetOrAdd(sessionId, created);
                if (ReferenceEquals(session, created))
                {
                    Interlocked.Increment(ref _count);
                }
            }

            if (!session.IsEnded)
            {
                session.Touch(now);
                return session;
            }

            // Ended by a concurrent session_ended but not yet removed: drop it and start a new one.
            Remove(new KeyValuePair<string, TrackedSession>(sessionId, session));
        }
    }

    /// <summary>Whether a session that has not ended has a state bag of <paramref name="instance"/>.</summary>
    public bool HasSessionsOn(Plugins.PluginInstance instance) => _sessions.Values.Any(s => s.Uses(instance));

    /// <summary>Drops every session's state bag of a disposed instance, so nothing keeps its code loaded.</summary>
    public void Forget(Plugins.PluginInstance instance)
    {
        foreach (var session in _sessions.Values)
        {
            session.Forget(instance);
        }
    }

    public bool TryRemove(string sessionId, out TrackedSession session)
    {
        if (_sessions.TryRemove(sessionId, out session!))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    /// <summary>Removes and returns the sessions unused for at least <paramref name="idleTimeout"/>.</summary>
    public IReadOnlyList<TrackedSession> RemoveIdle(TimeSpan idleTimeout)
    {
        var cutoff = timeProvider.GetUtcNow() - idleTimeout;
        return RemoveWhere(_sessions.Where(p => p.Value.LastUsed <= cutoff));
    }

    /// <summary>Removes and returns the least recently used sessions until a tenth of the capacity is free.</summary>
    public IReadOnlyList<TrackedSession> RemoveLeastRecentlyUsed()
    {
        var excess = Count - (capacity - (capacity / 10));
        return excess <= 0 ? [] : RemoveWhere(_sessions.OrderBy(p => p.Value.LastUsed).Take(excess));
    }

    private List<TrackedSession> RemoveWhere(IEnumerable<KeyValuePair<string, TrackedSession>> candidates)
    {
        var removed = new List<TrackedSession>();
        foreach (var pair in candidates.ToList())
        {
            if (Remove(pair))
            {
                removed.Add(pair.Value);
            }
        }

        return removed;
    }

    private bool Remove(KeyValuePair<string, TrackedSession> pair)
    {
        if (_sessions.TryRemove(pair))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }
}
