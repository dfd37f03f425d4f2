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

    /// <summary>
    /// Connects to the host <paramref name="socketOption"/> (or the configuration) names and runs <paramref name="call"/>;
    /// exit 2 when the configuration is wrong, 1 when the host is not reachable or answers an error.
    /// </summary>
    public static async Task<int> CallHostAsync(string? socketOption, string? configOption, CliConsole console, Func<MfaHost.Client.MfaHostClient, Task<int>> call, CancellationToken cancellationToken)
    {
        if (Resolve(socketOption, configOption, console) is not { } socketPath)
        {
            return ExitCodes.UsageOrConfig;
        }

        try
        {
            await using var client = await MfaHost.Client.MfaHostClient.ConnectAsync(socketPath, cancellationToken);
            return await call(client);
        }
        catch (IOException e)
        {
            WriteUnreachable(console, socketPath, e);
            return ExitCodes.Failed;
        }
        catch (MfaHost.Client.MfaHostRpcException e)
        {
            console.Error.WriteLine($"error: {e.Message} ({e.Reason ?? e.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
            return ExitCodes.Failed;
        }
    }

    public static void WriteUnreachable(CliConsole console, string socketPath, Exception error) =>
        console.Error.WriteLine($"error: MfaHost is not reachable at {socketPath}: {(error.InnerException ?? error).Message}");
}
