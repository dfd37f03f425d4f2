using System.Reflection;
using System.Runtime.Loader;

namespace MfaHost.Plugins;

/// <summary>
/// The load context of one plugin folder: collectible, resolving the plugin's private managed and
/// native dependencies through its <c>.deps.json</c>, while the contract assemblies (the SDK and the
/// framework's abstractions) always come from the host so that their types are the host's.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    public PluginLoadContext(string mainAssemblyPath)
        : base(name: Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: true)
    {
        MainAssemblyPath = mainAssemblyPath;
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
    }

    public string MainAssemblyPath { get; }

    /// <summary>Whether <paramref name="name"/> is a contract the host shares with every plugin.</summary>
    public static bool IsShared(AssemblyName name)
    {
        var simple = name.Name ?? string.Empty;
        return simple == SharedContracts.SdkAssemblyName
            || simple == "Microsoft.Extensions.Primitives"
            || (simple.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) && simple.EndsWith(".Abstractions", StringComparison.Ordinal));
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsShared(assemblyName))
        {
            // The default context's copy: the host's version, whatever the plugin shipped.
            return Default.LoadFromAssemblyName(new AssemblyName(assemblyName.Name!));
        }

        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
