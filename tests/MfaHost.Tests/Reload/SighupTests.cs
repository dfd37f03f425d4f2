using System.Diagnostics;
using System.Text;
using MfaHost.Client;
using MfaHost.Testing;

namespace MfaHost.Tests.Reload;

/// <summary>The real <c>mfahost</c> process: SIGHUP (what <c>systemctl reload</c> sends) reloads and never kills it.</summary>
public class SighupTests
{
    // Started under nohup, the host inherits SIGHUP as ignored (as it did when CI itself ran under nohup, and failed).
    [TestCase(false)]
    [TestCase(true)]
    public async Task Sighup_reloads_the_configuration_and_the_host_keeps_serving_until_sigterm(bool underNohup)
    {
        using var temp = new TempDirectory();
        ReloadHarness.CopyBuild(1, temp.Combine("plugins", "reloadable"));

        var socket = temp.Combine("run", "mfahost.sock");
        var config = temp.Write("config/mfahost.ini", $"[host]\nsocket = {socket}\nplugins_dir = {temp.Combine("plugins")}\ndata_dir = data\nshutdown_timeout = 5\n");
        temp.Write("config/plugins/a.ini", ReloadHarness.Instance("one"));

        var output = new StringBuilder();
        var program = Path.Combine(TestContext.CurrentContext.TestDirectory, "mfahost");
        var start = new ProcessStartInfo(underNohup ? "nohup" : program, underNohup ? [program, "--config", config] : ["--config", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            // Listening, not merely the socket file: the file exists from bind, a moment before the host accepts.
            await WaitUntilAsync(() => Logged(output, "Listening on " + socket) || process.HasExited, output);
            await using (var client = await MfaHostClient.ConnectAsync(socket))
            {
                Assert.That((await client.AuthenticateAsync(ReloadHarness.Otp("a", "s1"))).Message, Is.EqualTo("build 1 one otp"));
                temp.Write("config/plugins/a.ini", ReloadHarness.Instance("two"));

                // The generation the host serves, asked over the socket: what a reload changes, seen without depending on
                // when the host's output reaches this process.
                Signal(process.Id, "HUP");
                await WaitUntilAsync(async () => process.HasExited || (await client.HealthAsync()).ConfigGeneration == 2, output);
                Signal(process.Id, "HUP");
                await WaitUntilAsync(async () => process.HasExited || (await client.HealthAsync()).ConfigGeneration == 3, output);

                Assert.That(process.HasExited, Is.False, "SIGHUP must not stop the host:\n" + output);
                Assert.That((await client.AuthenticateAsync(ReloadHarness.Otp("a", "s2"))).Message, Is.EqualTo("build 1 two otp"));
                Assert.That((await client.HealthAsync()).ConfigGeneration, Is.EqualTo(3));
            }

            Signal(process.Id, "TERM");
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            // All output is read once the process has exited.
            Assert.Multiple(() =>
            {
                Assert.That(process.ExitCode, Is.Zero, output.ToString());
                Assert.That(Count(output, "Reloading the configuration (SIGHUP)"), Is.EqualTo(2), output.ToString());
                Assert.That(Logged(output, "Configuration generation 3 loaded"), Is.True, output.ToString());
                Assert.That(File.Exists(socket), Is.False, "the socket file is removed on exit");
            });
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    private static bool Logged(StringBuilder output, string text)
    {
        lock (output)
        {
            return output.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    private static int Count(StringBuilder output, string text)
    {
        lock (output)
        {
            return output.ToString().Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private static Task WaitUntilAsync(Func<bool> condition, StringBuilder output) =>
        WaitUntilAsync(() => Task.FromResult(condition()), output);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, StringBuilder output)
    {
        for (var i = 0; i < 600 && !await condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.That(await condition(), Is.True, "timed out; host output:\n" + output);
    }
}
