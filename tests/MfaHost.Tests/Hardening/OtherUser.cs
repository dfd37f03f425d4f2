using System.Diagnostics;

namespace MfaHost.Tests.Hardening;

/// <summary>
/// Runs a command as another real local user (uid and gid 65534, <c>nobody</c>, no supplementary groups) through
/// util-linux's <c>setpriv</c>, so an attack is made by the kernel's rules for that user, not simulated. The suite runs as
/// root (CI does); a missing tool or a non-root run fails the test rather than skipping it.
/// </summary>
internal static class OtherUser
{
    public const int Uid = 65534;

    private const string Setpriv = "/usr/bin/setpriv";

    public static void Require(params string[] tools)
    {
        Assert.That(geteuid(), Is.Zero, "attacks as another user need the suite to run as root (as CI does)");
        foreach (var tool in tools.Append(Setpriv))
        {
            Assert.That(File.Exists(tool), Is.True, $"{tool} is needed (.ci/run installs it)");
        }
    }

    /// <summary>Runs <paramref name="program"/> as uid/gid 65534 with <paramref name="input"/> on its standard input.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, IEnumerable<string> args, string? input = null)
    {
        var start = new ProcessStartInfo(Setpriv)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--reuid", Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--regid", Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--clear-groups", "--", program }.Concat(args))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program ended without reading its input (socat refused the connection at once): a broken pipe, not a failure.
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} as uid {Uid} did not finish within 60 s");
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>Lets every user through <paramref name="folder"/> and the folders above it (they stay unwritable to others).</summary>
    public static void MakeTraversable(string folder)
    {
        var top = Path.GetTempPath().TrimEnd('/');
        for (var current = Path.GetFullPath(folder); current is not null && current.Length > top.Length; current = Path.GetDirectoryName(current))
        {
            File.SetUnixFileMode(current, File.GetUnixFileMode(current) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        }
    }

#pragma warning disable SYSLIB1054 // A test helper: DllImport needs no unsafe code in the test project.
    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
#pragma warning restore SYSLIB1054
}
