namespace MfaHost.PluginSdk;

/// <summary>
/// The host's state store as one plugin instance sees it: string keys and values in the
/// instance's own namespace, each with an optional absolute expiry. SQLite by default; a shared
/// database may implement it so that several hosts see the same state.
/// </summary>
public interface IStateStore
{
    /// <summary>The value of <paramref name="key"/>, or null when absent or expired.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Sets <paramref name="key"/>, replacing any value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="expiresAt">When it vanishes; null for never.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask SetAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="key"/> only if it is absent (or expired): atomic, so of many concurrent callers exactly one gets true.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="expiresAt">When it vanishes; null for never.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<bool> TryAddAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken);

    /// <summary>Removes <paramref name="key"/>: atomic, so of many concurrent callers at most one gets true.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Adds one to the counter <paramref name="key"/> and returns the new count. A counter that did not
    /// exist (or had expired) starts at one and expires at <paramref name="expiresAt"/>; later increments keep that expiry.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="expiresAt">When a new counter vanishes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<long> IncrementAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="key"/> is live, and when it expires (null: never).</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<(bool Exists, DateTimeOffset? ExpiresAt)> TryGetExpiryAsync(string key, CancellationToken cancellationToken);

    /// <summary>The live keys that start with <paramref name="prefix"/>, with their values.</summary>
    /// <param name="prefix">The key prefix; empty for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    IAsyncEnumerable<KeyValuePair<string, string>> ListAsync(string prefix, CancellationToken cancellationToken);
}
