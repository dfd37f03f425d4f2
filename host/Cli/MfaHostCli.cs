using System.CommandLine;

namespace MfaHost.Cli;

/// <summary>The <c>mfahost</c> command line: running the host is the root command; everything else is a subcommand.</summary>
internal static class MfaHostCli
{
    public static RootCommand Create(CliConsole console)
    {
        var config = CliOptions.Config();
        var socket = CliOptions.Socket();
        var root = new RootCommand("MfaHost: a plugin-based multi-factor authentication host. Without a subcommand it runs the host.")
        {
            config,
            socket,
        };
        root.SetAction((parse, ct) => RunCommand.RunAsync(ConfigurationReport.ResolveConfigPath(parse.GetValue(config)), parse.GetValue(socket), console, ct));

        var run = new Command("run", "Run the host (the same as no subcommand)") { CliOptions.Config(), CliOptions.Socket() };
        run.SetAction((parse, ct) => RunCommand.RunAsync(
            ConfigurationReport.ResolveConfigPath(parse.GetValue<string?>("--config")), parse.GetValue<string?>("--socket"), console, ct));
        root.Subcommands.Add(run);
        root.Subcommands.Add(CheckConfigCommand.Create(console));
        root.Subcommands.Add(PluginsCommand.Create(console));
        root.Subcommands.Add(TotpCommand.Create(console));
        root.Subcommands.Add(AuthCommand.Create(console));
        root.Subcommands.Add(HealthCommand.Create(console));
        root.Subcommands.Add(StateCommand.Create(console));
        root.Subcommands.Add(ReloadCommand.Create(console));
        root.Subcommands.Add(TicketCommands.CreateToken(console));
        root.Subcommands.Add(TicketCommands.CreateTicket(console));
        root.Subcommands.Add(AuditCommand.Create(console));
        root.Subcommands.Add(PluginWorkerCommand.Create(console));
        return root;
    }

    /// <summary>Parses and runs; a usage error prints the problem and exits 2.</summary>
    public static async Task<int> InvokeAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var parse = Create(console).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine($"error: {error.Message}");
            }

            console.Error.WriteLine("Run 'mfahost --help' for usage.");
            return ExitCodes.UsageOrConfig;
        }

        return await parse.InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken);
    }
}
