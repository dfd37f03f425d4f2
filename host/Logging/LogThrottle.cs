using System.Collections.Concurrent;

namespace MfaHost.Logging;

/// <summary>
/// Lets a repeated warning through once per <see cref="Interval"/> for each key (for example one peer uid), and counts
/// the ones held back, so an attacker who repeats a refused call cannot flood the log and the operator still sees how many.
/// </summary>
internal sealed class LogThrottle(TimeProvider timeProvider, TimeSpan interval)
{
    /// <summary>The interval the host uses.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    // Keys are few (a warning kind and a uid); past this many, new keys share one entry so the table stays small.
    private const int MaxKeys = 1024;
    private const string OverflowKey = "(other)";

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public TimeSpan Interval => interval;

    /// <summary>
    /// True when the warning is to be logged now; <paramref name="heldBack"/> is then how many of the same key were held
    /// back since the last one logged.
    /// </summary>
    public bool ShouldLog(string key, out long heldBack)
    {
        if (_entries.Count >= MaxKeys && !_entries.ContainsKey(key))
        {
            key = OverflowKey;
        }

        var entry = _entries.GetOrAdd(key, static _ => new Entry());
        var now = timeProvider.GetTimestamp();
        lock (entry)
        {
            if (entry.Logged != 0 && timeProvider.GetElapsedTime(entry.Logged, now) < interval)
            {
                entry.HeldBack++;
                heldBack = 0;
                return false;
            }

            heldBack = entry.HeldBack;
            entry.HeldBack = 0;
            entry.Logged = now;
            return true;
        }
    }

    /// <summary>The keys whose interval has passed with warnings held back, and how many; they count from zero again.</summary>
    public IReadOnlyList<(string Key, long HeldBack)> TakeHeldBack()
    {
        var now = timeProvider.GetTimestamp();
        List<(string, long)>? due = null;
        foreach (var (key, entry) in _entries)
        {
            lock (entry)
            {
                if (entry.HeldBack > 0 && timeProvider.GetElapsedTime(entry.Logged, now) >= interval)
                {
                    (due ??= []).Add((key, entry.HeldBack));
                    entry.HeldBack = 0;
                    entry.Logged = now;
                }
            }
        }

        return due ?? (IReadOnlyList<(string, long)>)[];
    }

    private sealed class Entry
    {
        public long Logged;
        public long HeldBack;
    }
}
