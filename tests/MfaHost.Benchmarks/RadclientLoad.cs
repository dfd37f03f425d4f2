using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MfaHost.Benchmarks;

/// <summary>
/// FreeRADIUS driven by <c>radclient</c> on loopback, as issue 17 words it: PROCESSES parallel
/// <c>radclient -p 64 -q -s</c>, each fed a file of Access-Requests carrying current-step codes of distinct users, the
/// figure taken from their summaries (accepted answers over the wall time from the first start to the last exit).
/// </summary>
/// <remarks>
/// A file is static, so every code in it is for the step in which it is written: a run starts right after a step change
/// when the rest of the step might not hold it. Earlier runs size the files until one takes about the window (they warm
/// radclient and FreeRADIUS up too); the last run is the figure. With too few users for the rate the window is
/// shorter, and the output says so.
/// </remarks>
internal static partial class RadclientLoad
{
    private const int Parallel = 64;
    private const int FirstPerProcess = 1_000;
    private const int MaxRounds = 6;

    public static async Task<RadclientResult> RunAsync(
        string radclient, FreeRadiusTotp server, IReadOnlyList<RadiusUser> users, int processes, TimeSpan window)
    {
        var slices = Enumerable.Range(0, processes).Select(p => users.Where((_, i) => i % processes == p).ToArray()).ToArray();
        var most = slices.Min(s => s.Length);
        var perProcess = Math.Min(FirstPerProcess, most);
        var stepTime = TimeSpan.FromSeconds(6);
        for (var round = 1; ; round++)
        {
            var result = await RunOnceAsync(radclient, server, slices, perProcess, stepTime);
            var fill = result.Elapsed / window;
            if (fill is >= 0.85 and <= 1.2 || !result.AllAccepted || round == MaxRounds)
            {
                return result;
            }

            if (perProcess == most && fill < 0.85)
            {
                return result with { UsersShort = true };
            }

            // radclient's time per request grows with the size of its file (and start-up weighs on a short run), so a
            // proportional resize overshoots: the square root converges either way.
            perProcess = (int)Math.Clamp(Math.Round(perProcess / Math.Sqrt(fill)), 1, most);
            stepTime = TimeSpan.FromSeconds(Math.Min(FreeRadiusTotp.Period - 1, window.TotalSeconds * 2.5));
        }
    }

    private static async Task<RadclientResult> RunOnceAsync(
        string radclient, FreeRadiusTotp server, RadiusUser[][] slices, int perProcess, TimeSpan stepTimeNeeded)
    {
        var directory = Directory.CreateTempSubdirectory("mfahost-radclient-");
        try
        {
            await WaitForStepTimeAsync(stepTimeNeeded);
            var step = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / FreeRadiusTotp.Period;
            var files = new string[slices.Length];
            for (var p = 0; p < slices.Length; p++)
            {
                var requests = new StringBuilder(perProcess * 64);
                foreach (var user in slices[p].Take(perProcess))
                {
                    requests.Append(CultureInfo.InvariantCulture, $"User-Name = \"{user.Name}\", User-Password = \"{user.CodeAt(step)}\"\n\n");
                }

                files[p] = Path.Combine(directory.FullName, $"requests-{p}.txt");
                await File.WriteAllTextAsync(files[p], requests.ToString());
            }

            var serverCpu = Process.GetProcessById(server.ProcessId).TotalProcessorTime;
            var radclientCpu = WaitedChildrenCpu();
            var drops = UdpReceiveBufferErrors();
            var started = Stopwatch.GetTimestamp();
            var summaries = await Task.WhenAll(files.Select(file => RadclientAsync(radclient, server, file, TimeSpan.FromSeconds(FreeRadiusTotp.Period))));
            var elapsed = Stopwatch.GetElapsedTime(started);
            return new RadclientResult(
                slices.Length,
                (long)perProcess * slices.Length,
                summaries.Sum(s => s.Accepted),
                summaries.Sum(s => s.Rejected),
                summaries.Sum(s => s.Lost),
                elapsed,
                Process.GetProcessById(server.ProcessId).TotalProcessorTime - serverCpu,
                WaitedChildrenCpu() - radclientCpu,
                UdpReceiveBufferErrors() - drops,
                UsersShort: false,
                string.Join("; ", summaries.Select(s => s.Problem).OfType<string>()));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<Summary> RadclientAsync(string radclient, FreeRadiusTotp server, string file, TimeSpan limit)
    {
        var start = new ProcessStartInfo(radclient, ["-p", Parallel.ToString(CultureInfo.InvariantCulture), "-q", "-s", "-f", file, $"127.0.0.1:{server.Port}", "auth", server.SharedSecret])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {radclient}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
            return new Summary(0, 0, 0, $"radclient did not finish within {limit.TotalSeconds} s");
        }

        var text = await output + await error;
        long Count(string name) =>
            SummaryLine().Matches(text).FirstOrDefault(m => m.Groups[1].Value == name) is { } m ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
        return SummaryLine().IsMatch(text)
            ? new Summary(Count("Accepted"), Count("Rejected"), Count("Lost"), null)
            : new Summary(0, 0, 0, $"radclient exited with {process.ExitCode} and no summary: {text.Trim()}");
    }

    // Codes in a file are for the step they were written in: start after a step change unless enough of this one is left.
    private static async Task WaitForStepTimeAsync(TimeSpan needed)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var left = TimeSpan.FromMilliseconds((FreeRadiusTotp.Period * 1000) - (now % (FreeRadiusTotp.Period * 1000)));
        if (left < needed + TimeSpan.FromSeconds(0.5))
        {
            await Task.Delay(left + TimeSpan.FromSeconds(0.2));
        }
    }

    // The user + system time of this process's waited-for children (/proc/self/stat cutime and cstime, in USER_HZ
    // ticks, 100 a second on Linux): the radclient processes, the only children that exit during a run.
    private static TimeSpan WaitedChildrenCpu()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    // Datagrams the kernel dropped for a full socket receive buffer (system-wide, /proc/net/snmp Udp RcvbufErrors): with
    // 64 requests outstanding per radclient, bursts overflow a buffer now and then, and radclient resends after its timeout.
    private static long UdpReceiveBufferErrors()
    {
        var udp = File.ReadLines("/proc/net/snmp").Where(l => l.StartsWith("Udp: ", StringComparison.Ordinal)).ToArray();
        var column = Array.IndexOf(udp[0].Split(' '), "RcvbufErrors");
        return long.Parse(udp[1].Split(' ')[column], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\s*(Accepted|Rejected|Lost)\s*:\s*(\d+)", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    private sealed record Summary(long Accepted, long Rejected, long Lost, string? Problem);
}

/// <summary>What the radclient processes of one run reported, with the CPU time FreeRADIUS and they used meanwhile.</summary>
internal sealed record RadclientResult(
    int Processes, long Sent, long Accepted, long Rejected, long Lost, TimeSpan Elapsed, TimeSpan ServerCpu, TimeSpan RadclientCpu,
    long UdpDrops, bool UsersShort, string Problems)
{
    public double PerSecond => Accepted / Elapsed.TotalSeconds;

    public bool AllAccepted => Accepted == Sent && Rejected == 0 && Lost == 0 && Problems.Length == 0;

    public string Summary(string label) =>
        $"{label}: {Accepted:N0} accepted of {Sent:N0} sent (rejected {Rejected}, lost {Lost}) in {Elapsed.TotalSeconds:F2} s = {PerSecond:N0}/s; " +
        $"{Processes} x radclient -p 64 -q -s; udp receive-buffer drops meanwhile {UdpDrops} (each resent after radclient's timeout){(UsersShort ? "; too few users to fill the window at this rate (totp-setup --users)" : string.Empty)}{(Problems.Length > 0 ? "; " + Problems : string.Empty)}";
}
