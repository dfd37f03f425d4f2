using System.Collections.Frozen;
using MfaHost.Pipeline;
using MfaHost.Configuration;

namespace MfaHost.Plugins;

/// <summary>
/// The plugin instances the host serves in one configuration generation, as an immutable snapshot: the
/// request path looks an instance up without a lock. Reload builds the next one and swaps it in
/// (<see cref="ActiveCatalog"/>). Disposing it disposes its instances and unloads their folders.
/// </summary>
internal sealed class PluginCatalog : IAsyncDisposable
{
    private readonly FrozenDictionary<string, PluginInstance> _byName;

    public PluginCatalog(IReadOnlyList<PluginInstance> instances, IReadOnlyList<PluginPackage> packages, PipelineSettingsCatalog? settings = null, long generation = 1, DateTimeOffset loadedAt = default)
    {
        Instances = instances;
        _byName = instances.ToFrozenDictionary(i => i.Name, StringComparer.Ordinal);
        FailedPackages = packages.Where(p => p.Error is not null).ToList();
        Settings = settings ?? PipelineSettingsCatalog.Of(instances.Where(i => i.Definition?.Pipeline is not null).ToDictionary(i => i.Name, i => i.Definition!.Pipeline!));
        Generation = generation;
        LoadedAt = loadedAt;
    }

    /// <summary>Every configured instance, loaded or failed, by name.</summary>
    public IReadOnlyList<PluginInstance> Instances { get; }

    /// <summary>Plugin folders that could not be loaded.</summary>
    public IReadOnlyList<PluginPackage> FailedPackages { get; }

    /// <summary>Each loaded instance's pipeline settings.</summary>
    public PipelineSettingsCatalog Settings { get; }

    /// <summary>The configuration generation: 1 at start, one more for every reload that took effect.</summary>
    public long Generation { get; }

    /// <summary>When the configuration of this generation was read.</summary>
    public DateTimeOffset LoadedAt { get; }

    public int LoadedCount => Instances.Count(i => i.IsLoaded);

    public bool TryGet(string name, out PluginInstance instance) => _byName.TryGetValue(name, out instance!);

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in Instances)
        {
            await instance.DisposeAsync();
        }
    }
}
