using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Plugins;
using MfaHost.PluginSdk;

namespace MfaHost.Cli;

/// <summary>Loads the host settings and the plugin catalog the way the host does at start-up, for the CLI's reports.</summary>
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

    /// <summary>Loads settings and plugins; null with the errors written when the configuration is bad.</summary>
    public static async Task<(HostSettings Settings, PluginCatalog Catalog)?> LoadAsync(string configPath, CliConsole console)
    {
        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(configPath, errors);
        if (errors.Count > 0)
        {
            WriteErrors(console.Error, errors);
            return null;
        }

        using var loggerFactory = HostComposition.CreateLoggerFactory(settings, console.Error, Microsoft.Extensions.Logging.LogLevel.Warning);
        var catalog = new PluginCatalogBuilder(settings, loggerFactory, TimeProvider.System, HostComposition.CreateStateStore(settings, TimeProvider.System)).Build(errors);
        if (errors.Count > 0)
        {
            WriteErrors(console.Error, errors);
            await catalog.DisposeAsync();
            return null;
        }

        return (settings, catalog);
    }
}
