using System.Diagnostics;

namespace MfaHost.Plugins.Totp.Tests;

/// <summary><c>strings</c> (binutils) on a file: what an attacker with a copy of the store reads without any key.</summary>
internal static class StringsTool
{
    public static string Run(string file)
    {
        using var process = Process.Start(new ProcessStartInfo("strings", ["-n", "8", file]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
