using MfaHost.Configuration;
using MfaHost.Plugins;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins;

/// <summary>
/// Everything the host is configured with, read and validated in one go before anything is started:
/// host settings, every instance (type, plugin folder, options, pipeline settings) and every problem
/// found. Immutable; <c>run</c>, <c>check-config</c>, <c>plugins</c> and reload all start from one.
/// </summary>
internal sealed class ConfigurationSnapshot
{
    public required HostSettings Host { get; init; }

    /// <summary>The host file's options as written (<c>section:option</c> → value), to tell which changed on reload.</summary>
    public required IReadOnlyDictionary<string, string> HostValues { get; init; }

    /// <summary>Every enabled instance, and every broken plugin folder no instance names.</summary>
    public required IReadOnlyList<InstanceDefinition> Instances { get; init; }

    /// <summary>The plugin folders read, loaded or not. Each loaded one holds a collectible load context until released.</summary>
    public required IReadOnlyList<PluginPackage> Packages { get; init; }

    /// <summary>Configuration errors (file, line, section, option). A snapshot with any is not used.</summary>
    public required IReadOnlyList<MfaConfigurationException> Errors { get; init; }

    public required DateTimeOffset LoadedAt { get; init; }

    public bool IsValid => Errors.Count == 0;

    /// <summary>False when the host file itself is wrong: then nothing else was read.</summary>
    public bool HostFileRead { get; init; } = true;

    /// <summary>Unloads the plugin folders no constructed instance holds (all of them when none was constructed).</summary>
    public void ReleaseUnusedPackages()
    {
        foreach (var package in Packages)
        {
            package.ReleaseIfUnused();
        }
    }
}
