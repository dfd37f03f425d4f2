using System.Globalization;
using System.Text.RegularExpressions;
using MfaHost.Testing;

namespace MfaHost.Tests.Hardening;

/// <summary>
/// Issue 13's open-file exhaustion, really triggered: the connection cap is lowered to the open-file limit at start, so
/// the limit of the running <c>mfahost</c> process is lowered afterwards (<c>prlimit</c>) until accepting fails with
/// EMFILE. The host backs off instead of spinning (its held-back count over a 10 s window is a handful, not thousands),
/// logs the failure rate-limited, keeps running and answers <c>health</c> once the connections are released.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public partial class AcceptBackoffTests
{
    private const string Prlimit = "/usr/bin/prlimit";
    private const string Health = """{"jsonrpc":"2.0","id":"h","method":"health"}""" + "\n";

    private static string PluginsDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");

    [Test]
    public async Task Out_of_file_descriptors_the_host_backs_off_logs_rate_limited_and_answers_health_once_connections_are_released()
    {
        OtherUser.Require(Prlimit);
        await using var host = await HostProcess.StartAsync(PluginsDirectory, new Dictionary<string, string>());
        var pid = host.ProcessId;

        // Served connections before: out of descriptors the runtime can load no assembly and start no thread (a cold host
        // dies, "Out of memory."), which is why the cap keeps descriptors in reserve; here the limit takes that reserve away.
        for (var i = 0; i < 3; i++)
        {
            Assert.That(await HealthStatusAsync(host.SocketPath), Is.EqualTo("ok"));
        }

        // Room for a few connections beyond what the host holds open now, then none.
        var limit = Directory.GetFiles($"/proc/{pid}/fd").Length + 8;
        await RunAsync(Prlimit, "--pid", pid.ToString(CultureInfo.InvariantCulture), $"--nofile={limit}:{limit}");

        var clients = new List<ByteConnection>();
        try
        {
            for (var i = 0; i < 40; i++)
            {
                clients.Add(await ByteConnection.ConnectAsync(host.SocketPath));
            }

            var first = await host.Output.WaitForAsync(l => l.Contains("Accepting a connection on", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            var cpuBefore = CpuTime(pid);
            var linesBefore = host.Output.Lines.Count;

            // The next word about it comes once the 10 s window has passed: the failures held back meanwhile, counted.
            var summary = await host.Output.WaitForAsync(l => HeldBack().Match(l) is { Success: true } m && m.Groups["n"].Value != "0", TimeSpan.FromSeconds(40));
            var cpu = CpuTime(pid) - cpuBefore;
            var heldBack = long.Parse(HeldBack().Match(summary).Groups["n"].Value, CultureInfo.InvariantCulture);
            var linesDuring = host.Output.Lines.Count - linesBefore;

            Assert.Multiple(() =>
            {
                Assert.That(first, Does.Contain("failed (TooManyOpenSockets)"), "EMFILE");
                Assert.That(heldBack, Is.InRange(1, 40), "with a 50 ms to 1 s back-off, about 14 failed accepts in 10 s; a spin makes thousands: " + summary);
                Assert.That(linesDuring, Is.LessThan(10), "the log stays quiet:\n" + string.Join("\n", host.Output.Lines.Skip(linesBefore)));
                Assert.That(cpu, Is.LessThan(TimeSpan.FromSeconds(5)), "no spinning accept loop");
                Assert.That(host.HasExited, Is.False);
            });
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        // Released: the host closes what it accepted, accepts again after at most one back-off, and answers.
        string? status = null;
        for (var attempt = 0; attempt < 60 && status != "ok"; attempt++)
        {
            status = await HealthStatusAsync(host.SocketPath);
            if (status != "ok")
            {
                await Task.Delay(250);
            }
        }

        Assert.That(status, Is.EqualTo("ok"), string.Join("\n", host.Output.Lines.TakeLast(20)));
    }

    private static async Task<string?> HealthStatusAsync(string socketPath)
    {
        try
        {
            await using var connection = await ByteConnection.ConnectAsync(socketPath);
            await connection.SendAsync(Health);
            var answer = await connection.ReadAnswerAsync(TimeSpan.FromSeconds(2));
            return answer.TryGetProperty("result", out var result) ? result.GetProperty("status").GetString() : answer.ToString();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or TimeoutException or OperationCanceledException or System.Text.Json.JsonException)
        {
            return e.GetType().Name;
        }
    }

    // utime + stime of the process, from /proc/PID/stat (clock ticks; 100 per second on Linux).
    private static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static async Task RunAsync(string program, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{program} {string.Join(' ', args)}: {error}");
    }

    [GeneratedRegex(@"(?<n>\d+) more (failures not logged before this one|'accept_failed' warning)")]
    private static partial Regex HeldBack();
}
