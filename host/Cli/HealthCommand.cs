using System.CommandLine;
using MfaHost.Client;

namespace MfaHost.Cli;

/// <summary><c>mfahost health</c>: asks a running host how it is; exit 0 when it answers ok.</summary>
internal static class HealthCommand
{
    public static Command Create(CliConsole console)
    {
        var socket = CliOptions.Socket();
        var config = CliOptions.Config();
        var command = new Command("health", "Ask the running host for its health over its socket; exit 0 when ok, 1 when not ok or not reachable")
        {
            socket,
            config,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(socket), parse.GetValue(config), console, ct));
        return command;
    }

    private static Task<int> RunAsync(string? socketOption, string? configOption, CliConsole console, CancellationToken cancellationToken) =>
        HostSocketOption.CallHostAsync(socketOption, configOption, console, async client =>
        {
            var health = await client.HealthAsync(cancellationToken);
            console.Out.WriteLine($"status: {health.Status}");
            console.Out.WriteLine($"version: {health.Version}");
            console.Out.WriteLine($"uptime_s: {health.UptimeS}");
            console.Out.WriteLine($"plugins_loaded: {health.PluginsLoaded}");
            console.Out.WriteLine($"in_flight: {health.InFlight}");
            if (health.FailedPlugins.Count > 0)
            {
                console.Out.WriteLine($"failed_plugins: {string.Join(", ", health.FailedPlugins)}");
            }

            if (health.ConfigGeneration is { } generation)
            {
                console.Out.WriteLine($"config_generation: {generation}");
                console.Out.WriteLine($"config_loaded_at: {health.ConfigLoadedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}");
            }

            foreach (var problem in health.Problems ?? [])
            {
                console.Out.WriteLine($"problem: {problem}");
            }

            return health.Status == "ok" ? ExitCodes.Ok : ExitCodes.Failed;
        }, cancellationToken);
}
