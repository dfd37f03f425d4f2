using System.Security.Cryptography;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Configuration;
using MfaHost.Configuration;

namespace MfaHost.Plugins;

/// <summary>
/// Reads the whole configuration into one <see cref="ConfigurationSnapshot"/>: the host file, the
/// credentials file, the plugin folders (loaded, not constructed) and every instance file, checked
/// strictly (unknown sections and options, pipeline values). Collects every problem rather than
/// stopping at the first. The one loader of <c>run</c>, <c>check-config</c>, <c>plugins</c> and reload.
/// </summary>
internal static class ConfigurationSnapshotLoader
{
    /// <summary>Reads <paramref name="configPath"/> and everything it names.</summary>
    /// <param name="configPath">The host file.</param>
    /// <param name="socketOverride">The <c>--socket</c> given to <c>run</c>, which wins over the file.</param>
    /// <param name="timeProvider">Stamps the snapshot.</param>
    public static ConfigurationSnapshot Load(string configPath, string? socketOverride, TimeProvider timeProvider)
    {
        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(configPath, errors);
        if (socketOverride is { Length: > 0 })
        {
            settings = settings with { SocketPath = Path.GetFullPath(socketOverride) };
        }

        if (errors.Count > 0)
        {
            return new ConfigurationSnapshot
            {
                Host = settings,
                HostValues = new Dictionary<string, string>(),
                Instances = [],
                Packages = [],
                Errors = errors,
                LoadedAt = timeProvider.GetUtcNow(),
                HostFileRead = false,
            };
        }

        return Load(settings, errors, timeProvider);
    }

    /// <summary>Reads the instances and plugin folders <paramref name="settings"/> names, adding to <paramref name="errors"/>.</summary>
    public static ConfigurationSnapshot Load(HostSettings settings, List<MfaConfigurationException> errors, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(errors);
        var packages = PluginFolderLoader.LoadAll(settings.PluginsDirectory);
        CredentialsFile? credentialsFile = null;
        var credentialsHash = string.Empty;
        if (settings.CredentialsFile is { } credentialsPath)
        {
            try
            {
                credentialsFile = CredentialsFile.Load(credentialsPath);
                credentialsHash = HashOf(credentialsPath);
            }
            catch (MfaConfigurationException e)
            {
                errors.Add(e);
            }
        }

        var instances = new List<InstanceDefinition>();
        var files = Directory.Exists(settings.PluginConfigDirectory)
            ? Directory.GetFiles(settings.PluginConfigDirectory, "*.ini").Order(StringComparer.Ordinal)
            : Enumerable.Empty<string>();
        foreach (var file in files)
        {
            if (Read(settings, file, packages, credentialsFile, credentialsHash, errors) is { } instance)
            {
                instances.Add(instance);
            }
        }

        // A broken folder that no instance names is still reported, so an operator sees it.
        foreach (var failed in packages.Where(p => p.Error is not null && !instances.Any(i => i.Folder == p.Folder)))
        {
            instances.Add(new InstanceDefinition
            {
                Name = failed.Name,
                Type = failed.Name,
                Version = failed.Version,
                ConfigFile = string.Empty,
                Folder = failed.Folder,
                Error = $"plugin folder {failed.Folder}: {failed.Error}",
            });
        }

        return new ConfigurationSnapshot
        {
            Host = settings,
            HostValues = ReadHostValues(settings.ConfigFile),
            Instances = instances,
            Packages = packages,
            Errors = errors,
            LoadedAt = timeProvider.GetUtcNow(),
        };
    }

    private static InstanceDefinition? Read(
        HostSettings settings, string file, IReadOnlyList<PluginPackage> packages, CredentialsFile? credentialsFile, string credentialsHash, List<MfaConfigurationException> errors)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        var credentials = new HostCredentialStore(name, credentialsFile);
        PluginConfiguration configuration;
        string type;
        bool enabled;
        Microsoft.Extensions.Logging.LogLevel level;
        IsolationSettings isolation;
        try
        {
            configuration = new PluginConfiguration(IniFile.Load(file), file, credentials);
            var plugin = configuration.Section("plugin");
            type = plugin.GetString("type", name)!;
            enabled = plugin.GetBool("enabled", true);
            level = LogLevels.Parse(configuration.Section("logging"), "log_level", settings.LogLevel);
            isolation = IsolationSettings.Read(plugin);
        }
        catch (MfaConfigurationException e)
        {
            errors.Add(e);
            return null;
        }

        if (!enabled)
        {
            return null;
        }

        var definition = new InstanceDefinition
        {
            Name = name,
            Type = type,
            ConfigFile = file,
            Configuration = configuration,
            Credentials = credentials,
            LogLevel = level,
            Isolation = isolation,
        };
        var candidates = packages.Where(p => p.Types.ContainsKey(type)).ToList();
        if (candidates.Count != 1)
        {
            var failedFolders = packages.Where(p => p.Error is not null).ToList();
            var error = candidates.Count > 1
                ? $"plugin type '{type}' is provided by more than one folder: {string.Join(", ", candidates.Select(c => c.Folder))}"
                : $"no plugin folder in {settings.PluginsDirectory} provides type '{type}'"
                  + (failedFolders.Count > 0 ? "; folders that failed to load: " + string.Join("; ", failedFolders.Select(f => $"{f.Name} ({f.Error})")) : string.Empty);
            var folder = failedFolders.FirstOrDefault(f => string.Equals(f.Name, type, StringComparison.OrdinalIgnoreCase));
            return definition with { Folder = folder?.Folder, Error = folder is null ? error : $"plugin folder {folder.Folder}: {folder.Error}" };
        }

        var package = candidates[0];
        var before = errors.Count;
        errors.AddRange(InstanceOptions.FindUnknown(configuration, InstanceOptions.DeclaredBy(package.Types[type])));
        PipelineSettings? pipeline = null;
        try
        {
            pipeline = PipelineSettings.Read(configuration);
        }
        catch (MfaConfigurationException e)
        {
            errors.Add(e);
        }

        return definition with
        {
            Folder = package.Folder,
            Version = package.Version,
            Package = package,
            Pipeline = errors.Count == before ? pipeline : null,
            Fingerprint = HashOf(file) + package.Fingerprint + credentialsHash + settings.LogLevel,
        };
    }

    private static string HashOf(string file)
    {
        try
        {
            return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.GetType().Name;
        }
    }

    private static Dictionary<string, string> ReadHostValues(string file)
    {
        try
        {
            return IniFile.Load(file).AsEnumerable()
                .Where(p => p.Value is not null)
                .ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value!, StringComparer.Ordinal);
        }
        catch (MfaConfigurationException)
        {
            return [];
        }
    }

    /// <summary>The host options that differ between two snapshots, as <c>[section] option</c>.</summary>
    public static IReadOnlyList<string> ChangedHostOptions(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Keys.Union(after.Keys)
            .Where(k => !string.Equals(before.GetValueOrDefault(k), after.GetValueOrDefault(k), StringComparison.Ordinal))
            .Select(k => k.Split(':', 2) is [var section, var option] ? $"[{section}] {option}" : k)
            .Order(StringComparer.Ordinal)
            .ToList();
}
