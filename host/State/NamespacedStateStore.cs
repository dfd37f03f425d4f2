using System.Runtime.CompilerServices;
using MfaHost.PluginSdk;

namespace MfaHost.State;

/// <summary>One plugin instance's view of the shared store: every key is prefixed with <c>&lt;namespace&gt;/</c>.</summary>
internal sealed class NamespacedStateStore(IStateStore inner, string @namespace) : IStateStore
{
    private readonly string _prefix = @namespace + "/";

    public ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(_prefix + key, cancellationToken);

    public ValueTask SetAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        inner.SetAsync(_prefix + key, value, expiresAt, cancellationToken);

    public ValueTask<bool> TryAddAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        inner.TryAddAsync(_prefix + key, value, expiresAt, cancellationToken);

    public ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) => inner.RemoveAsync(_prefix + key, cancellationToken);

    public ValueTask<long> IncrementAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        inner.IncrementAsync(_prefix + key, expiresAt, cancellationToken);

    public ValueTask<(bool Exists, DateTimeOffset? ExpiresAt)> TryGetExpiryAsync(string key, CancellationToken cancellationToken) =>
        inner.TryGetExpiryAsync(_prefix + key, cancellationToken);

    public async IAsyncEnumerable<KeyValuePair<string, string>> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (key, value) in inner.ListAsync(_prefix + prefix, cancellationToken))
        {
            yield return new(key[_prefix.Length..], value);
        }
    }
}
