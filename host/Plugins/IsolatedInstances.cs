using MfaHost.Configuration;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Logging;
using MfaHost.Isolation;

namespace MfaHost.Plugins;

/// <summary>Starts an isolated instance: its worker process, the plugin constructed in it, and the host's stand-in client.</summary>
internal static class IsolatedInstances
{
    /// <summary>
    /// The client of <paramref name="definition"/> running in a worker, or the error that failed the instance; null when
    /// the plugin rejected its configuration (added to <paramref name="configErrors"/>).
    /// </summary>
    public static (MfaClient? Client, string? Error)? Start(
        InstanceDefinition definition, HostSettings settings, ILoggerFactory loggerFactory, TimeProvider timeProvider, IStateStore stateStore, ICollection<MfaConfigurationException> configErrors)
    {
        var supervisor = new WorkerSupervisor(settings.ConfigFile, definition.Name, definition.Isolation, new NamespacedStateStore(stateStore, definition.Name), loggerFactory, timeProvider);
        StartResult started;
        try
        {
            // Construction is synchronous for in-process instances too: start and reload wait for the plugin.
            started = supervisor.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (WorkerUnavailableException e)
        {
            supervisor.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return (null, "its worker process did not start: " + e.Message);
        }

        if (started.ConfigurationError is { } c)
        {
            supervisor.DisposeAsync().AsTask().GetAwaiter().GetResult();
            configErrors.Add(new MfaConfigurationException(c.FilePath, c.Line, c.Section, c.Option, c.Problem));
            return null;
        }

        if (started.Error is { } error)
        {
            supervisor.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return (null, error);
        }

        var context = new MfaPluginContext
        {
            InstanceName = definition.Name,
            Configuration = definition.Configuration!,
            Logger = loggerFactory.CreateLogger($"MfaHost.Plugins.{definition.Name}"),
            TimeProvider = timeProvider,
            Credentials = definition.Credentials!,
            HttpClientFactory = new PluginHttpClientFactory(definition.Configuration!),
            State = new NamespacedStateStore(stateStore, definition.Name),
        };
        return (new IsolatedClient(context, supervisor, started), null);
    }
}
