using MfaHost.Configuration;
using MfaHost.PluginSdk;

namespace MfaHost.Cli;

/// <summary>Which socket a client command talks to: <c>--socket</c>, else <c>[host] socket</c> of the configuration.</summary>
internal static class HostSocketOption
{
    /// <summary>The socket path, or null with the configuration's errors written.</summary>
    public static string? Resolve(string? socketOption, string? configOption, CliConsole console)
    {
        if (socketOption is { Length: > 0 })
        {
            return Path.GetFullPath(socketOption);
        }

        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(ConfigurationReport.ResolveConfigPath(configOption), errors);
        if (errors.Count > 0)
        {
            ConfigurationReport.WriteErrors(console.Error, errors);
            return null;
        }

        return settings.SocketPath;
    }

    public static void WriteUnreachable(CliConsole console, string socketPath, Exception error) =>
        console.Error.WriteLine($"error: MfaHost is not reachable at {socketPath}: {(error.InnerException ?? error).Message}");
}
