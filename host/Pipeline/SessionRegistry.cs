using System.Collections.Concurrent;

namespace MfaHost.Pipeline;

/// <summary>The sessions the pipeline knows by <c>session_id</c>: those a plugin saw and those that were accepted.</summary>
internal sealed class SessionRegistry(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, TrackedSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    /// <summary>The live session of that id, created if new, marked as used now.</summary>
    public TrackedSession Track(string sessionId)
    {
        var now = timeProvider.GetUtcNow();
        while (true)
        {
            var session = _sessions.GetOrAdd(sessionId, static (id, t) => new TrackedSession(id, t), now);
            if (!session.IsEnded)
            {
                session.Touch(now);
                return session;
            }

            // Ended by a concurrent session_ended but not yet removed: drop it and start a new one.
            _sessions.TryRemove(new KeyValuePair<string, TrackedSession>(sessionId, session));
        }
    }

    public bool TryRemove(string sessionId, out TrackedSession session) => _sessions.TryRemove(sessionId, out session!);

    /// <summary>Removes and returns the sessions unused for at least <paramref name="idleTimeout"/>.</summary>
    public IReadOnlyList<TrackedSession> RemoveIdle(TimeSpan idleTimeout)
    {
        var cutoff = timeProvider.GetUtcNow() - idleTimeout;
        var idle = new List<TrackedSession>();
        foreach (var pair in _sessions)
        {
            if (pair.Value.LastUsed <= cutoff && _sessions.TryRemove(pair))
            {
                idle.Add(pair.Value);
            }
        }

        return idle;
    }
}
