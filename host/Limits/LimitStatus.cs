using MfaHost.Plugins;
using MfaHost.Configuration;

namespace MfaHost.Limits;

/// <summary>Every loaded instance's limits and how many identities they hold back now (for <c>plugins</c> and <c>stats</c>).</summary>
internal sealed class LimitStatus(ActiveCatalog active, LimitState state)
{
    internal sealed record Entry(string Instance, LimitSettings Settings, int LockedOut, int PushRateLimited);

    /// <summary>The entry of <paramref name="instance"/> in <paramref name="catalog"/>; null when it is not loaded or has no settings.</summary>
    public async Task<Entry?> ReadAsync(PluginCatalog catalog, string instance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (!catalog.TryGet(instance, out var loaded) || !loaded.IsLoaded || !catalog.Settings.TryGet(instance, out var pipeline, out _))
        {
            return null;
        }

        var (lockedOut, pushRateLimited) = await state.CountAsync(instance, pipeline.Limits, cancellationToken);
        return new Entry(instance, pipeline.Limits, lockedOut, pushRateLimited);
    }

    /// <summary>The entries of the serving generation.</summary>
    public async Task<IReadOnlyList<Entry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var serving = active.Current;
        var entries = new List<Entry>();
        foreach (var instance in serving.Instances)
        {
            if (await ReadAsync(serving, instance.Name, cancellationToken) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }
}
