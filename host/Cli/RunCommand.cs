using System.Reflection;
using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Logging;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MfaHost.Cli;

/// <summary><c>mfahost</c> / <c>mfahost run</c>: runs the host until SIGTERM.</summary>
internal static class RunCommand
{
    public static string Version { get; } =
        typeof(RunCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static async Task<int> RunAsync(string configPath, string? socketOverride, CliConsole console, CancellationToken cancellationToken)
    {
        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(configPath, errors);
        if (socketOverride is { Length: > 0 })
        {
            settings = settings with { SocketPath = Path.GetFullPath(socketOverride) };
        }

        if (errors.Count > 0)
        {
            ConfigurationReport.WriteErrors(console.Error, errors);
            return ExitCodes.UsageOrConfig;
        }

        using var host = HostComposition.Build(settings, errors);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MfaHost");
        HostLog.Starting(logger, Version, settings.ConfigFile);
        var catalog = host.Services.GetRequiredService<PluginCatalog>();

        // Each instance's pipeline sections are validated now, so a bad value stops the host before it serves.
        host.Services.GetRequiredService<PipelineSettingsCatalog>();
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                HostLog.ConfigurationError(logger, error.Message);
            }

            ConfigurationReport.WriteErrors(console.Error, errors);
            return ExitCodes.UsageOrConfig;
        }

        foreach (var instance in catalog.Instances)
        {
            if (instance.IsLoaded)
            {
                var capabilities = string.Join(",", PluginInstance.CapabilityWords(instance.Capabilities));
                HostLog.PluginLoaded(logger, instance.Name, instance.Type, instance.Version, instance.Folder, capabilities);
            }
            else
            {
                HostLog.PluginFailed(logger, instance.Name, instance.Type, instance.Error);
            }
        }

        HostLog.PluginSummary(logger, catalog.LoadedCount, catalog.Instances.Count - catalog.LoadedCount);
        HostLog.SocketPath(logger, settings.SocketPath);
        try
        {
            await host.RunAsync(cancellationToken);
        }
        catch (HostStartupException e)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }

        HostLog.Stopped(logger);
        return ExitCodes.Ok;
    }
}
