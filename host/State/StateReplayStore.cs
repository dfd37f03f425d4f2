using MfaHost.PluginSdk;

namespace MfaHost.State;

/// <summary>An <see cref="IReplayStore"/> over a state store's atomic add-if-absent.</summary>
internal sealed class StateReplayStore(IStateStore store) : IReplayStore
{
    public ValueTask<bool> TryClaimAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        store.TryAddAsync("replay/" + key, "1", expiresAt, cancellationToken);

    public async ValueTask<bool> IsClaimedAsync(string key, CancellationToken cancellationToken) =>
        await store.GetAsync("replay/" + key, cancellationToken) is not null;
}
