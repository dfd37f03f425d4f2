using System.Reflection;
using System.Runtime.Loader;
using McMaster.NETCore.Plugins;

namespace MfaHost.Plugins;

/// <summary>One folder under the plugins directory, loaded (or not) into its own context.</summary>
internal sealed class PluginPackage
{
    public required string Name { get; init; }

    public required string Folder { get; init; }

    /// <summary>The folder's loader; null when the folder could not be used.</summary>
    public PluginLoader? Loader { get; init; }

    /// <summary>The collectible context the folder's assemblies live in.</summary>
    public AssemblyLoadContext? LoadContext => Loader?.LoadContext;

    public Assembly? Assembly { get; init; }

    public string Version { get; init; } = "?";

    /// <summary>The plugin types found, by their <c>[MfaPlugin]</c> name.</summary>
    public IReadOnlyDictionary<string, Type> Types { get; init; } = new Dictionary<string, Type>();

    /// <summary>Why the folder could not be used; null when it loaded.</summary>
    public string? Error { get; init; }
}
