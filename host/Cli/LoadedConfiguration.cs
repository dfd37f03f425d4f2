using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.State;

namespace MfaHost.Cli;

/// <summary>
/// The configuration snapshot and its plugin instances, read and constructed the way <c>run</c> does
/// (the same loader, each constructor once), for the CLI's reports; disposing it disposes the plugins
/// and closes the state store they were given.
/// </summary>
internal sealed class LoadedConfiguration : IAsyncDisposable
{
    private readonly IStateStore? _state;

    private LoadedConfiguration(ConfigurationSnapshot snapshot, PluginCatalog? catalog, IStateStore? state, IReadOnlyList<MfaConfigurationException> errors)
    {
        Settings = snapshot.Host;
        Catalog = catalog;
        _state = state;
        Errors = errors;
    }

    public HostSettings Settings { get; }

    /// <summary>Null when the host file itself has errors.</summary>
    public PluginCatalog? Catalog { get; }

    /// <summary>Every configuration error found (host file, instance files, plugin constructors).</summary>
    public IReadOnlyList<MfaConfigurationException> Errors { get; }

    /// <summary>What <c>check-config</c> and <c>plugins</c> report: every configuration error, then every instance that cannot serve.</summary>
    public IReadOnlyList<string> Problems =>
        Errors.Select(e => e.Message)
            .Concat((Catalog?.Instances ?? []).Where(i => !i.IsLoaded)
                .Select(i => $"plugin instance '{i.Name}' ({(i.ConfigFile.Length > 0 ? i.ConfigFile : i.Folder)}): {i.Error}"))
            .ToList();

    public static async Task<LoadedConfiguration> LoadAsync(string configPath, CliConsole console)
    {
        var snapshot = ConfigurationSnapshotLoader.Load(configPath, null, TimeProvider.System);
        var settings = snapshot.Host;
        if (!snapshot.HostFileRead)
        {
            return new LoadedConfiguration(snapshot, null, null, snapshot.Errors);
        }

        using var loggerFactory = HostComposition.CreateLoggerFactory(settings, console.Error, Microsoft.Extensions.Logging.LogLevel.Warning);
        // Checking leaves no trace: the plugins see the state as it is, but write nothing and create no file.
        var state = await ValidationStateStore.OpenAsync(settings, TimeProvider.System);
        var errors = snapshot.Errors.ToList();

        // Only instances whose files check out are constructed: a plugin never sees options the host refused.
        var sound = snapshot.Instances.Where(i => !snapshot.Errors.Any(e => e.FilePath == i.ConfigFile));
        var catalog = new PluginCatalogBuilder(settings, loggerFactory, TimeProvider.System, state) { ValidationOnly = true }.Build(snapshot, sound, errors);
        snapshot.ReleaseUnusedPackages();
        return new LoadedConfiguration(snapshot, catalog, state, errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (Catalog is not null)
        {
            await Catalog.DisposeAsync();
        }

        if (_state is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}
