using System.Reflection;
using System.Runtime.Loader;
using McMaster.NETCore.Plugins;

namespace MfaHost.Plugins;

/// <summary>
/// One folder under the plugins directory, loaded (or not) into its own context. The instances built
/// from it hold it; once the configuration that loaded it is settled and the last instance is disposed,
/// its context is unloaded.
/// </summary>
internal sealed class PluginPackage
{
    private readonly Lock _lock = new();
    private int _users;
    private bool _sealed;
    private bool _unloaded;

    public required string Name { get; init; }

    public required string Folder { get; init; }

    /// <summary>The folder's loader; null when the folder could not be used.</summary>
    public PluginLoader? Loader { get; init; }

    /// <summary>The collectible context the folder's assemblies live in.</summary>
    public AssemblyLoadContext? LoadContext => Loader?.LoadContext;

    public Assembly? Assembly { get; init; }

    public string Version { get; init; } = "?";

    /// <summary>A hash of the folder's files (names and contents) as they were loaded.</summary>
    public string Fingerprint { get; init; } = string.Empty;

    /// <summary>The plugin types found, by their <c>[MfaPlugin]</c> name.</summary>
    public IReadOnlyDictionary<string, Type> Types { get; init; } = new Dictionary<string, Type>();

    /// <summary>Why the folder could not be used; null when it loaded.</summary>
    public string? Error { get; init; }

    public bool IsUnloaded
    {
        get
        {
            lock (_lock)
            {
                return _unloaded;
            }
        }
    }

    /// <summary>An instance built from this folder holds it until <see cref="Release"/>.</summary>
    public void Acquire()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_unloaded, this);
            _users++;
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            _users--;
            UnloadIfDone();
        }
    }

    /// <summary>No further instance will be built from this folder: unload it as soon as none holds it.</summary>
    public void ReleaseIfUnused()
    {
        lock (_lock)
        {
            _sealed = true;
            UnloadIfDone();
        }
    }

    private void UnloadIfDone()
    {
        if (_sealed && _users <= 0 && !_unloaded)
        {
            _unloaded = true;
            Loader?.Dispose();
        }
    }
}
