using MfaHost.Cli;
using MfaHost.Testing;

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

    /// <summary>A host configuration in <paramref name="temp"/> (data in config/data) with the instance <c>totp</c>; returns its path.</summary>
    public static string WriteConfiguration(TempDirectory temp, string totpSection)
    {
        temp.Write("config/plugins/totp.ini", "[plugin]\ntype = totp\n\n[totp]\n" + totpSection);
        return temp.Write("config/mfahost.ini", $"[host]\nsocket = run/test.sock\nplugins_dir = {Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins")}\ndata_dir = data\n");
    }
}
