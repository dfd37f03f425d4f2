using System.Reflection;
using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Logging;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.Reload;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MfaHost.Cli;

/// <summary><c>mfahost</c> / <c>mfahost run</c>: runs the host until SIGTERM.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(string configPath, string? socketOverride, CliConsole console, CancellationToken cancellationToken)
    {
        // SIGHUP ends a .NET process unless handled: handled from here to the end, kept until the host serves.
        using var hangup = HangupSignal.Register();
        var snapshot = ConfigurationSnapshotLoader.Load(configPath, socketOverride, TimeProvider.System);
        if (!snapshot.IsValid)
        {
            snapshot.ReleaseUnusedPackages();
            ConfigurationReport.WriteErrors(console.Error, snapshot.Errors);
            return ExitCodes.UsageOrConfig;
        }

        var settings = snapshot.Host;
        using var host = HostComposition.Build(snapshot, socketOverride: socketOverride, hangup: hangup);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MfaHost");
        HostLog.Starting(logger, HostVersion.Value, settings.ConfigFile);

        // The plugins are constructed now, once, so that a configuration a plugin rejects stops the host before it serves.
        var errors = host.Services.GetRequiredService<ConfigurationReloader>().Activate(snapshot);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                HostLog.ConfigurationError(logger, error.Message);
            }

            ConfigurationReport.WriteErrors(console.Error, errors);
            return ExitCodes.UsageOrConfig;
        }

        var catalog = host.Services.GetRequiredService<ActiveCatalog>().Current;
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
