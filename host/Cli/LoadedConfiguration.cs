using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;

namespace MfaHost.Cli;

/// <summary>
/// The host settings and plugin catalog loaded the way the host loads them at start-up, for the CLI's
/// reports; disposing it disposes the plugins and closes the state store they were given.
/// </summary>
internal sealed class LoadedConfiguration : IAsyncDisposable
{
    private readonly IStateStore? _state;

    private LoadedConfiguration(HostSettings settings, PluginCatalog? catalog, IStateStore? state, List<MfaConfigurationException> errors)
    {
        Settings = settings;
        Catalog = catalog;
        _state = state;
        Errors = errors;
    }

    public HostSettings Settings { get; }

    /// <summary>Null when the host file itself has errors.</summary>
    public PluginCatalog? Catalog { get; }

    /// <summary>Every configuration error found (host file, instance files).</summary>
    public IReadOnlyList<MfaConfigurationException> Errors { get; }

    public static LoadedConfiguration Load(string configPath, CliConsole console)
    {
        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(configPath, errors);
        if (errors.Count > 0)
        {
            return new LoadedConfiguration(settings, null, null, errors);
        }

        using var loggerFactory = HostComposition.CreateLoggerFactory(settings, console.Error, Microsoft.Extensions.Logging.LogLevel.Warning);
        var state = HostComposition.CreateStateStore(settings, TimeProvider.System);
        var catalog = new PluginCatalogBuilder(settings, loggerFactory, TimeProvider.System, state).Build(errors);

        // The pipeline's per-instance sections are validated as at start-up.
        PipelineSettingsCatalog.Read(catalog, errors);
        return new LoadedConfiguration(settings, catalog, state, errors);
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
