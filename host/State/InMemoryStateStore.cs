using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MfaHost.PluginSdk;

namespace MfaHost.State;

/// <summary>An <see cref="IStateStore"/> in memory: state lives as long as the process.</summary>
internal sealed class InMemoryStateStore(TimeProvider timeProvider) : IStateStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TryLive(key, out var entry) ? entry.Value : null);

    public ValueTask SetAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        _entries[key] = new Entry(value, expiresAt);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> TryAddAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        var fresh = new Entry(value, expiresAt);
        while (true)
        {
            if (_entries.TryAdd(key, fresh))
            {
                return ValueTask.FromResult(true);
            }

            if (!_entries.TryGetValue(key, out var existing))
            {
                continue;
            }

            if (!IsExpired(existing))
            {
                return ValueTask.FromResult(false);
            }

            if (_entries.TryUpdate(key, fresh, existing))
            {
                return ValueTask.FromResult(true);
            }
        }
    }

    public ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.TryRemove(key, out var entry) && !IsExpired(entry));

    public ValueTask<long> IncrementAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var entry = _entries.AddOrUpdate(
            key,
            _ => new Entry("1", expiresAt),
            (_, existing) => IsExpired(existing)
                ? new Entry("1", expiresAt)
                : existing with { Value = (long.Parse(existing.Value, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return ValueTask.FromResult(long.Parse(entry.Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public ValueTask<(bool Exists, DateTimeOffset? ExpiresAt)> TryGetExpiryAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TryLive(key, out var entry) ? (true, entry.ExpiresAt) : (false, (DateTimeOffset?)null));

    public async IAsyncEnumerable<KeyValuePair<string, string>> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        foreach (var (key, entry) in _entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && !IsExpired(entry))
            {
                yield return new(key, entry.Value);
            }
        }
    }

    private bool TryLive(string key, out Entry entry) =>
        _entries.TryGetValue(key, out entry!) && !IsExpired(entry);

    private bool IsExpired(Entry entry) => entry.ExpiresAt is { } at && at <= timeProvider.GetUtcNow();

    private sealed record Entry(string Value, DateTimeOffset? ExpiresAt);
}
