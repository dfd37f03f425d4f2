using System.Reflection;
using MfaHost.Configuration;
using MfaHost.Credentials;
using MfaHost.Logging;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins;

/// <summary>
/// Builds the <see cref="PluginCatalog"/>: loads the plugin folders, reads every instance file and
/// creates the instances. Broken folders and failing constructors make failed instances (the host
/// serves the others); configuration errors are collected for the caller, which stops.
/// </summary>
internal sealed class PluginCatalogBuilder(HostSettings settings, ILoggerFactory loggerFactory, TimeProvider timeProvider, IStateStore stateStore)
{
    public PluginCatalog Build(ICollection<MfaConfigurationException> configErrors)
    {
        var packages = PluginFolderLoader.LoadAll(settings.PluginsDirectory);
        var credentialsFile = LoadCredentials(configErrors);
        var instances = new List<PluginInstance>();
        var files = Directory.Exists(settings.PluginConfigDirectory)
            ? Directory.GetFiles(settings.PluginConfigDirectory, "*.ini").Order(StringComparer.Ordinal)
            : Enumerable.Empty<string>();
        foreach (var file in files)
        {
            if (Create(file, packages, credentialsFile, configErrors) is { } instance)
            {
                instances.Add(instance);
            }
        }

        // A broken folder that no instance names is still reported, so an operator sees it.
        foreach (var failed in packages.Where(p => p.Error is not null && !instances.Any(i => i.Folder == p.Folder)))
        {
            instances.Add(new PluginInstance
            {
                Name = failed.Name,
                Type = failed.Name,
                Version = failed.Version,
                ConfigFile = string.Empty,
                Folder = failed.Folder,
                Error = $"plugin folder {failed.Folder}: {failed.Error}",
            });
        }

        return new PluginCatalog(instances, packages);
    }

    /// <summary>
    /// A catalog of the one instance <paramref name="instanceFile"/> (the command line's administrative operations
    /// when no host runs): the other instances are neither read nor created.
    /// </summary>
    public PluginCatalog BuildOne(string instanceFile, ICollection<MfaConfigurationException> configErrors)
    {
        var packages = PluginFolderLoader.LoadAll(settings.PluginsDirectory);
        var instance = Create(instanceFile, packages, LoadCredentials(configErrors), configErrors);
        return new PluginCatalog(instance is null ? [] : [instance], packages);
    }

    private CredentialsFile? LoadCredentials(ICollection<MfaConfigurationException> configErrors)
    {
        if (settings.CredentialsFile is not { } credentialsPath)
        {
            return null;
        }

        try
        {
            return CredentialsFile.Load(credentialsPath);
        }
        catch (MfaConfigurationException e)
        {
            configErrors.Add(e);
            return null;
        }
    }

    private PluginInstance? Create(string file, IReadOnlyList<PluginPackage> packages, CredentialsFile? credentialsFile, ICollection<MfaConfigurationException> configErrors)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        var credentials = new HostCredentialStore(name, credentialsFile);
        PluginConfiguration configuration;
        string type;
        bool enabled;
        LogLevel level;
        try
        {
            configuration = new PluginConfiguration(IniFile.Load(file), file, credentials);
            var plugin = configuration.Section("plugin");
            type = plugin.GetString("type", name)!;
            enabled = plugin.GetBool("enabled", true);
            level = LogLevels.Parse(configuration.Section("logging"), "log_level", settings.LogLevel);
        }
        catch (MfaConfigurationException e)
        {
            configErrors.Add(e);
            return null;
        }

        if (!enabled)
        {
            return null;
        }

        var candidates = packages.Where(p => p.Types.ContainsKey(type)).ToList();
        if (candidates.Count != 1)
        {
            var failedFolders = packages.Where(p => p.Error is not null).ToList();
            var error = candidates.Count > 1
                ? $"plugin type '{type}' is provided by more than one folder: {string.Join(", ", candidates.Select(c => c.Folder))}"
                : $"no plugin folder in {settings.PluginsDirectory} provides type '{type}'"
                  + (failedFolders.Count > 0 ? "; folders that failed to load: " + string.Join("; ", failedFolders.Select(f => $"{f.Name} ({f.Error})")) : string.Empty);
            var folder = failedFolders.FirstOrDefault(f => string.Equals(f.Name, type, StringComparison.OrdinalIgnoreCase));
            return new PluginInstance { Name = name, Type = type, ConfigFile = file, Folder = folder?.Folder, Configuration = configuration, Error = folder is null ? error : $"plugin folder {folder.Folder}: {folder.Error}" };
        }

        var package = candidates[0];
        try
        {
            var context = new MfaPluginContext
            {
                InstanceName = name,
                Configuration = configuration,
                Logger = new LevelFilteredLogger(loggerFactory.CreateLogger($"MfaHost.Plugins.{name}"), level),
                TimeProvider = timeProvider,
                Credentials = credentials,
                HttpClientFactory = new PluginHttpClientFactory(configuration),
                State = new NamespacedStateStore(stateStore, name),
            };
            var client = (MfaClient)Activator.CreateInstance(package.Types[type], context)!;
            return new PluginInstance { Name = name, Type = type, Version = package.Version, ConfigFile = file, Folder = package.Folder, Configuration = configuration, Client = client };
        }
        catch (MfaConfigurationException e)
        {
            configErrors.Add(e);
            return null;
        }
        catch (TargetInvocationException e) when (e.InnerException is MfaConfigurationException inner)
        {
            configErrors.Add(inner);
            return null;
        }
        catch (TargetInvocationException e)
        {
            var cause = e.InnerException ?? e;
            return new PluginInstance
            {
                Name = name,
                Type = type,
                Version = package.Version,
                ConfigFile = file,
                Folder = package.Folder,
                Configuration = configuration,
                Error = $"the constructor of {package.Types[type].FullName} threw {cause.GetType().Name}: {cause.Message}",
            };
        }
    }
}
