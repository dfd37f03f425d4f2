using MfaHost.Cli;

return await MfaHostCli.InvokeAsync(args, CliConsole.System);
