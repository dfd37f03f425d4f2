using System.Reflection;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins;

/// <summary>The contracts the host shares with every plugin, and the rule for which SDK a plugin may be built against.</summary>
internal static class SharedContracts
{
    public const string SdkAssemblyName = "MfaHost.PluginSdk";

    public static Version HostSdkVersion { get; } = typeof(MfaClient).Assembly.GetName().Version ?? new Version(1, 0);

    /// <summary>
    /// The assemblies a plugin always gets from the host, whatever it ships itself: the SDK, and the
    /// framework's <c>Microsoft.Extensions.*.Abstractions</c> (and Primitives) the host has, so that
    /// loggers, configuration and options passed across are the host's types.
    /// </summary>
    public static IReadOnlyList<AssemblyName> Assemblies { get; } = FindSharedAssemblies();

    /// <summary>Whether <paramref name="name"/> is a contract the host shares with every plugin.</summary>
    public static bool IsShared(AssemblyName name)
    {
        var simple = name.Name ?? string.Empty;
        return simple == SdkAssemblyName
            || simple == "Microsoft.Extensions.Primitives"
            || (simple.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) && simple.EndsWith(".Abstractions", StringComparison.Ordinal));
    }

    /// <summary>
    /// Null when a plugin built against <paramref name="built"/> runs on this host: same major version,
    /// not newer than the host's (members added later would be missing). Otherwise the reason.
    /// </summary>
    public static string? Incompatibility(Version built) =>
        built.Major != HostSdkVersion.Major || built > HostSdkVersion
            ? $"built against {SdkAssemblyName} {built.ToString(3)}, but this host provides {HostSdkVersion.ToString(3)} (same major version, not newer, is required)"
            : null;

    public static AssemblyName? FindSdkReference(Assembly assembly) =>
        assembly.GetReferencedAssemblies().FirstOrDefault(r => r.Name == SdkAssemblyName);

    private static List<AssemblyName> FindSharedAssemblies()
    {
        // The trusted platform assemblies are what the host's default context can load: the shared
        // frameworks and the host's own dependencies.
        var platform = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(path => new AssemblyName(Path.GetFileNameWithoutExtension(path)))
            .Where(name => name.Name != SdkAssemblyName && IsShared(name));
        return [typeof(MfaClient).Assembly.GetName(), .. platform.DistinctBy(n => n.Name)];
    }
}
