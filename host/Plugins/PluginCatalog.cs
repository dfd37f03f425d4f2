using System.Collections.Frozen;

namespace MfaHost.Plugins;

/// <summary>
/// The plugin instances the host serves, as an immutable snapshot: the request path looks an
/// instance up without a lock. Disposing it disposes the clients and unloads their contexts.
/// </summary>
internal sealed class PluginCatalog : IAsyncDisposable
{
    private readonly FrozenDictionary<string, PluginInstance> _byName;
    private readonly IReadOnlyList<PluginPackage> _packages;

    public PluginCatalog(IReadOnlyList<PluginInstance> instances, IReadOnlyList<PluginPackage> packages)
    {
        Instances = instances;
        _packages = packages;
        _byName = instances.ToFrozenDictionary(i => i.Name, StringComparer.Ordinal);
        FailedPackages = packages.Where(p => p.Error is not null).ToList();
    }

    /// <summary>Every configured instance, loaded or failed, by name.</summary>
    public IReadOnlyList<PluginInstance> Instances { get; }

    /// <summary>Plugin folders that could not be loaded.</summary>
    public IReadOnlyList<PluginPackage> FailedPackages { get; }

    public int LoadedCount => Instances.Count(i => i.IsLoaded);

    public bool TryGet(string name, out PluginInstance instance) => _byName.TryGetValue(name, out instance!);

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in Instances)
        {
            if (instance.Client is { } client)
            {
                await client.DisposeAsync();
            }
        }

        foreach (var package in _packages)
        {
            package.Loader?.Dispose();
        }
    }
}
