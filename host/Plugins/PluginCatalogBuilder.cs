using System.Reflection;
using MfaHost.Configuration;
using MfaHost.Logging;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins;

/// <summary>
/// Constructs plugin instances from a validated <see cref="ConfigurationSnapshot"/>: each client once,
/// with its context. A failing constructor makes a failed instance (the host serves the others); a
/// constructor that rejects its configuration adds a configuration error for the caller.
/// </summary>
internal sealed class PluginCatalogBuilder(HostSettings settings, ILoggerFactory loggerFactory, TimeProvider timeProvider, IStateStore stateStore)
{
    /// <summary>The instances are constructed only to check the configuration (<see cref="MfaPluginContext.ValidationOnly"/>).</summary>
    public bool ValidationOnly { get; init; }

    /// <summary>Reads the instances <c>settings</c> names and constructs them (the loading tests' entry).</summary>
    public PluginCatalog Build(ICollection<MfaConfigurationException> configErrors)
    {
        var errors = new List<MfaConfigurationException>();
        var snapshot = ConfigurationSnapshotLoader.Load(settings, errors, timeProvider);
        var catalog = Build(snapshot, snapshot.Instances, errors);
        snapshot.ReleaseUnusedPackages();
        foreach (var error in errors)
        {
            configErrors.Add(error);
        }

        return catalog;
    }

    /// <summary>Constructs <paramref name="definitions"/> of <paramref name="snapshot"/> as one generation.</summary>
    public PluginCatalog Build(ConfigurationSnapshot snapshot, IEnumerable<InstanceDefinition> definitions, ICollection<MfaConfigurationException> configErrors, long generation = 1)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var instances = new List<PluginInstance>();
        foreach (var definition in definitions)
        {
            if (Create(definition, configErrors) is { } instance)
            {
                instances.Add(instance);
            }
        }

        return new PluginCatalog(instances, snapshot.Packages, generation: generation, loadedAt: snapshot.LoadedAt);
    }

    /// <summary>
    /// A catalog of the one instance <paramref name="instanceFile"/> (the command line's administrative operations
    /// when no host runs): every file is checked as at start, but only this instance is constructed, and only its
    /// problems (and the host's) are reported.
    /// </summary>
    public PluginCatalog BuildOne(string instanceFile, ICollection<MfaConfigurationException> configErrors)
    {
        var errors = new List<MfaConfigurationException>();
        var snapshot = ConfigurationSnapshotLoader.Load(settings, errors, timeProvider);
        var relevant = errors.Where(e => e.FilePath == instanceFile || !snapshot.Instances.Any(i => i.ConfigFile == e.FilePath)).ToList();
        foreach (var error in relevant)
        {
            configErrors.Add(error);
        }

        var catalog = Build(snapshot, relevant.Count > 0 ? [] : snapshot.Instances.Where(i => i.ConfigFile == instanceFile), configErrors);
        snapshot.ReleaseUnusedPackages();
        return catalog;
    }

    /// <summary>Constructs one instance; null when its constructor rejected the configuration (added to <paramref name="configErrors"/>).</summary>
    public PluginInstance? Create(InstanceDefinition definition, ICollection<MfaConfigurationException> configErrors)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(configErrors);
        if (definition.Package is not { } package || definition.Configuration is not { } configuration)
        {
            return Instance(definition, error: definition.Error);
        }

        if (definition.Isolation.InWorker)
        {
            return IsolatedInstances.Start(definition, settings, loggerFactory, timeProvider, stateStore, configErrors) is var (client, error)
                ? Instance(definition, client: client, error: error)
                : null;
        }

        var type = package.Types[definition.Type];
        package.Acquire();
        PluginHttpClientFactory? http = null;
        try
        {
            http = new PluginHttpClientFactory(configuration);
            var context = new MfaPluginContext
            {
                InstanceName = definition.Name,
                Configuration = configuration,
                Logger = new LevelFilteredLogger(loggerFactory.CreateLogger($"MfaHost.Plugins.{definition.Name}"), definition.LogLevel),
                TimeProvider = timeProvider,
                Credentials = definition.Credentials!,
                HttpClientFactory = http,
                State = new NamespacedStateStore(stateStore, definition.Name),
                DataDirectory = Path.Combine(settings.DataDirectory, "plugins", definition.Name),
                ValidationOnly = ValidationOnly,
            };
            return Instance(definition, client: (MfaClient)Activator.CreateInstance(type, context)!, package: package, http: http);
        }
        catch (MfaConfigurationException e)
        {
            http?.Dispose();
            package.Release();
            configErrors.Add(e);
            return null;
        }
        catch (TargetInvocationException e) when (e.InnerException is MfaConfigurationException inner)
        {
            http?.Dispose();
            package.Release();
            configErrors.Add(inner);
            return null;
        }
        catch (TargetInvocationException e)
        {
            http?.Dispose();
            package.Release();
            var cause = e.InnerException ?? e;

            // The state store down (a plugin that reads its state at start) is no fault of the plugin: say just that.
            return Instance(definition, error: State.StateUnavailableException.Find(cause) is { } unavailable
                ? unavailable.Message
                : $"the constructor of {type.FullName} threw {cause.GetType().Name}: {cause.Message}");
        }
    }

    private static PluginInstance Instance(InstanceDefinition definition, MfaClient? client = null, PluginPackage? package = null, string? error = null, IDisposable? http = null) => new()
    {
        HttpConnections = http,
        Name = definition.Name,
        Type = definition.Type,
        Version = definition.Version,
        ConfigFile = definition.ConfigFile,
        Folder = definition.Folder,
        Configuration = definition.Configuration,
        Definition = definition,
        Package = package,
        Client = client,
        Error = error,
    };
}
