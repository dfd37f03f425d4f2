using System.Reflection;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins;

/// <summary>The SDK the host provides, and the rule for which SDK a plugin may be built against.</summary>
internal static class SharedContracts
{
    public const string SdkAssemblyName = "MfaHost.PluginSdk";

    public static Version HostSdkVersion { get; } = typeof(MfaClient).Assembly.GetName().Version ?? new Version(1, 0);

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
}
