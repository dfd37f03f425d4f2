using System.Collections.Concurrent;

namespace MfaHost.Pipeline;

/// <summary>
/// Open NEEDINFO conversations by <c>session_id</c>, each with an absolute expiry. Bounded: at
/// <see cref="Capacity"/> a new conversation is refused (after sweeping), so a flood of logins that are
/// never answered cannot grow it without end. Expired entries are swept lazily, at most once per sweep interval.
/// </summary>
internal sealed class ConversationStore
{
    public const int DefaultCapacity = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly long _sweepIntervalTicks;
    private long _nextSweepTicks;
    private int _count;

    public ConversationStore(TimeProvider timeProvider, TimeSpan timeout, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _timeProvider = timeProvider;
        _timeout = timeout;
        Capacity = capacity;
        _sweepIntervalTicks = Math.Min(timeout.Ticks, TimeSpan.FromSeconds(30).Ticks);
        _nextSweepTicks = timeProvider.GetUtcNow().UtcTicks + _sweepIntervalTicks;
    }

    public int Capacity { get; }

    /// <summary>Conversations held, expired ones not yet swept included.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Opens (or replaces) the conversation of <paramref name="sessionId"/>; false when the store is full.</summary>
    public bool TrySave(string sessionId, Conversation conversation)
    {
        var now = _timeProvider.GetUtcNow();
        SweepIfDue(now);
        var entry = new Entry(conversation, now + _timeout);
        while (true)
        {
            if (_entries.TryGetValue(sessionId, out var existing))
            {
                if (_entries.TryUpdate(sessionId, entry, existing))
                {
                    return true;
                }

                continue;
            }

            if (Count >= Capacity)
            {
                Sweep(now);
                if (Count >= Capacity)
                {
                    return false;
                }
            }

            if (_entries.TryAdd(sessionId, entry))
            {
                Interlocked.Increment(ref _count);
                return true;
            }
        }
    }

    /// <summary>Removes and returns the conversation of <paramref name="sessionId"/> if it is still open.</summary>
    public ConversationLookup TryTake(string sessionId, out Conversation? conversation)
    {
        conversation = null;
        if (!_entries.TryRemove(sessionId, out var entry))
        {
            return ConversationLookup.None;
        }

        Interlocked.Decrement(ref _count);
        if (entry.ExpiresAt <= _timeProvider.GetUtcNow())
        {
            return ConversationLookup.Expired;
        }

        conversation = entry.Conversation;
        return ConversationLookup.Found;
    }

    /// <summary>Drops the conversation of <paramref name="sessionId"/>; true when there was one.</summary>
    public bool Remove(string sessionId)
    {
        if (_entries.TryRemove(sessionId, out _))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    /// <summary>Removes every expired conversation.</summary>
    public int Sweep() => Sweep(_timeProvider.GetUtcNow());

    /// <summary>
    /// Detaches the conversations still open on a disposed instance: their answer is refused with
    /// <c>shutting_down</c>, and they no longer keep the instance's code loaded.
    /// </summary>
    public void Retire(Plugins.PluginInstance instance)
    {
        foreach (var (sessionId, entry) in _entries)
        {
            if (ReferenceEquals(entry.Conversation.Served, instance))
            {
                _entries.TryUpdate(sessionId, entry with { Conversation = entry.Conversation with { Served = null, ServedSettings = null, Retired = true } }, entry);
            }
        }
    }

    /// <summary>Whether a conversation that has not expired waits for an answer on <paramref name="instance"/>.</summary>
    public bool HasOpenConversationsOn(Plugins.PluginInstance instance)
    {
        var now = _timeProvider.GetUtcNow();
        return _entries.Values.Any(e => e.ExpiresAt > now && ReferenceEquals(e.Conversation.Served, instance));
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        var due = Volatile.Read(ref _nextSweepTicks);
        if (now.UtcTicks >= due && Interlocked.CompareExchange(ref _nextSweepTicks, now.UtcTicks + _sweepIntervalTicks, due) == due)
        {
            Sweep(now);
        }
    }

    private int Sweep(DateTimeOffset now)
    {
        var removed = 0;
        foreach (var pair in _entries)
        {
            if (pair.Value.ExpiresAt <= now && _entries.TryRemove(pair))
            {
                Interlocked.Decrement(ref _count);
                removed++;
            }
        }

        return removed;
    }

    private sealed record Entry(Conversation Conversation, DateTimeOffset ExpiresAt);
}
