using MfaHost.Cli;

namespace MfaHost.Plugins.Totp.Tests.Cli;

/// <summary>The real command line, in process.</summary>
internal static class CliHarness
{
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await MfaHostCli.InvokeAsync(args, new CliConsole(output, error, TextReader.Null));
        return (code, output.ToString(), error.ToString());
    }
}
