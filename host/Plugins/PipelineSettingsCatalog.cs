using System.Collections.Frozen;
using MfaHost.Configuration;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins;

/// <summary>
/// Every loaded instance's <see cref="PipelineSettings"/>, read once at start-up. An instance whose pipeline
/// sections are wrong has no settings: its error is reported as a configuration error (the host stops), and
/// should the host run anyway it is served as unavailable rather than with half a configuration.
/// </summary>
internal sealed class PipelineSettingsCatalog
{
    private readonly FrozenDictionary<string, PipelineSettings> _settings;
    private readonly FrozenDictionary<string, string> _errors;

    private PipelineSettingsCatalog(FrozenDictionary<string, PipelineSettings> settings, FrozenDictionary<string, string> errors)
    {
        _settings = settings;
        _errors = errors;
    }

    /// <summary>Reads the settings of every loaded instance of <paramref name="catalog"/>, adding problems to <paramref name="errors"/>.</summary>
    public static PipelineSettingsCatalog Read(PluginCatalog catalog, ICollection<MfaConfigurationException> errors)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(errors);
        var settings = new Dictionary<string, PipelineSettings>(StringComparer.Ordinal);
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instance in catalog.Instances.Where(i => i.IsLoaded))
        {
            try
            {
                settings[instance.Name] = instance.Configuration is { } configuration ? PipelineSettings.Read(configuration) : PipelineSettings.Default;
            }
            catch (MfaConfigurationException e)
            {
                errors.Add(e);
                failures[instance.Name] = e.Message;
            }
        }

        return new PipelineSettingsCatalog(settings.ToFrozenDictionary(StringComparer.Ordinal), failures.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Settings given directly, for tests.</summary>
    public static PipelineSettingsCatalog Of(IReadOnlyDictionary<string, PipelineSettings> settings) =>
        new(settings.ToFrozenDictionary(StringComparer.Ordinal), FrozenDictionary<string, string>.Empty);

    /// <summary>The instance's settings; false with the configuration error when it has none.</summary>
    public bool TryGet(string instance, out PipelineSettings settings, out string? error)
    {
        if (_settings.TryGetValue(instance, out settings!))
        {
            error = null;
            return true;
        }

        error = _errors.TryGetValue(instance, out var e) ? e : "it has no pipeline settings";
        return false;
    }
}
