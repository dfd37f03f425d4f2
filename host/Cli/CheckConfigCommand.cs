using System.CommandLine;
using MfaHost.Configuration;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;

namespace MfaHost.Cli;

/// <summary><c>mfahost check-config</c>: validates the host file, the instance files and the plugin folders without starting.</summary>
internal static class CheckConfigCommand
{
    public static Command Create(CliConsole console)
    {
        var config = CliOptions.Config();
        var command = new Command("check-config", "Validate the host and plugin configuration and the plugin folders without starting; exit 0 when all is well, 2 with every problem listed")
        {
            config,
        };
        command.SetAction(async (parse, _) => await RunAsync(ConfigurationReport.ResolveConfigPath(parse.GetValue(config)), console));
        return command;
    }

    public static async Task<int> RunAsync(string configPath, CliConsole console)
    {
        await using var loaded = await LoadedConfiguration.LoadAsync(configPath, console);
        var problems = loaded.Problems;
        if (loaded.Catalog is { } catalog)
        {
            if (problems.Count == 0)
            {
                var settings = loaded.Settings;
                console.Out.WriteLine($"{settings.ConfigFile}: ok");
                console.Out.WriteLine($"socket: {settings.SocketPath}");
                console.Out.WriteLine($"plugins: {catalog.LoadedCount} instance(s) loaded from {settings.PluginsDirectory}: {string.Join(", ", catalog.Instances.Select(i => i.Name))}");
                return ExitCodes.Ok;
            }
        }

        foreach (var problem in problems)
        {
            console.Error.WriteLine($"error: {problem}");
        }

        console.Error.WriteLine($"{problems.Count} problem(s) in {Path.GetFullPath(configPath)}");
        return ExitCodes.UsageOrConfig;
    }
}
