using MfaHost.Configuration;
using MfaHost.PluginSdk;

namespace MfaHost.Cli;

/// <summary>What the CLI's configuration reports share: which file, and how errors are written.</summary>
internal static class ConfigurationReport
{
    public static string ResolveConfigPath(string? option) => option is { Length: > 0 } ? Path.GetFullPath(option) : HostSettingsLoader.DefaultConfigPath();

    public static void WriteErrors(TextWriter writer, IEnumerable<MfaConfigurationException> errors)
    {
        foreach (var error in errors)
        {
            writer.WriteLine($"error: {error.Message}");
        }
    }
}
