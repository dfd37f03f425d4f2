using MfaHost.Cli;

namespace MfaHost.Tests.Cli;

/// <summary>Runs the real <c>mfahost</c> command line in-process with captured output.</summary>
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
