using System.CommandLine;
using MfaHost.Isolation;

namespace MfaHost.Cli;

/// <summary><c>mfahost plugin-worker</c>: internal, started by the host for an instance with <c>isolation = process</c>.</summary>
internal static class PluginWorkerCommand
{
    public static Command Create(CliConsole console)
    {
        var config = new Option<string>("--config") { Description = "The host configuration file", Required = true };
        var instance = new Option<string>("--instance") { Description = "The instance to run", Required = true };
        var command = new Command("plugin-worker", "Runs one plugin instance for a host (started by the host; not for use by hand)")
        {
            config,
            instance,
        };
        command.Hidden = true;
        command.SetAction((parse, _) => PluginWorker.RunAsync(parse.GetValue(config)!, parse.GetValue(instance)!, console));
        return command;
    }
}
