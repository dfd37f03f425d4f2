namespace MfaHost.PluginSdk.Testing;

/// <summary>How <see cref="PluginTestHost"/> sets an instance up; every property has a usable default.</summary>
public sealed class PluginTestOptions
{
    /// <summary>The instance name (in the host: the instance file's name without <c>.ini</c>); null: the plugin's type name.</summary>
    public string? InstanceName { get; init; }

    /// <summary>
    /// The secrets that <c>$</c> options resolve to, keyed <c>section.option</c> (for example
    /// <c>myplugin.api_key</c>), as the host's credentials file holds them.
    /// </summary>
    public IDictionary<string, string> Secrets { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Where the fake clock starts.</summary>
    public DateTimeOffset Now { get; init; } = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A folder that relative paths in the INI text (a <c>ca_file</c>, say) are taken from; null: a new
    /// temporary folder, removed when the test host is disposed.
    /// </summary>
    public string? ConfigDirectory { get; init; }
}
