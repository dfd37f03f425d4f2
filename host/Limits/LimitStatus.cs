using MfaHost.Pipeline;
using MfaHost.Plugins;

namespace MfaHost.Limits;

/// <summary>Every loaded instance's limits and how many identities they hold back now (for <c>plugins</c> and <c>stats</c>).</summary>
internal sealed class LimitStatus(PluginCatalog catalog, PipelineSettingsCatalog settings, LimitState state)
{
    internal sealed record Entry(string Instance, LimitSettings Settings, int LockedOut, int PushRateLimited);

    /// <summary>The entry of <paramref name="instance"/>; null when it is not loaded or has no settings.</summary>
    public async Task<Entry?> ReadAsync(string instance, CancellationToken cancellationToken)
    {
        if (!catalog.TryGet(instance, out var loaded) || !loaded.IsLoaded || !settings.TryGet(instance, out var pipeline, out _))
        {
            return null;
        }

        var (lockedOut, pushRateLimited) = await state.CountAsync(instance, pipeline.Limits, cancellationToken);
        return new Entry(instance, pipeline.Limits, lockedOut, pushRateLimited);
    }

    public async Task<IReadOnlyList<Entry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var entries = new List<Entry>();
        foreach (var instance in catalog.Instances)
        {
            if (await ReadAsync(instance.Name, cancellationToken) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }
}
