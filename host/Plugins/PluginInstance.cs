using MfaHost.PluginSdk;

namespace MfaHost.Plugins;

/// <summary>One configured plugin instance (<c>config/plugins/&lt;name&gt;.ini</c>) and what became of it.</summary>
internal sealed class PluginInstance
{
    private MfaCapabilities? _capabilities;

    public required string Name { get; init; }

    public required string Type { get; init; }

    public string Version { get; init; } = "?";

    public required string ConfigFile { get; init; }

    public string? Folder { get; init; }

    /// <summary>The running client; null when the instance failed.</summary>
    public MfaClient? Client { get; init; }

    /// <summary>The instance's configuration; null when the instance failed before it was read.</summary>
    public PluginConfiguration? Configuration { get; init; }

    public string? Error { get; init; }

    public bool IsLoaded => Client is not null;

    /// <summary>What the plugin can do; read once (the SDK's default looks at the overridden methods).</summary>
    public MfaCapabilities Capabilities => _capabilities ??= Client?.Capabilities ?? MfaCapabilities.None;

    public static IReadOnlyList<string> CapabilityWords(MfaCapabilities capabilities)
    {
        var words = new List<string>(3);
        if (capabilities.HasFlag(MfaCapabilities.Push))
        {
            words.Add("push");
        }

        if (capabilities.HasFlag(MfaCapabilities.Otp))
        {
            words.Add("otp");
        }

        if (capabilities.HasFlag(MfaCapabilities.Password))
        {
            words.Add("password");
        }

        return words;
    }
}
