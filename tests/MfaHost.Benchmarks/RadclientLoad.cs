using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MfaHost.Benchmarks;

/// <summary>
/// FreeRADIUS driven by <c>radclient</c> on loopback, as issue 17 words it: PROCESSES parallel
/// <c>radclient -p 64 -q -s</c>, each fed files of Access-Requests carrying current-step codes of distinct users, one
/// file after the other until the window has passed; the figure is the accepted answers of their summaries over the
/// wall time from the first start to the last exit.
/// </summary>
/// <remarks>
/// Files of <see cref="FileRequests"/>: each is written just before its radclient starts, so its codes are for the step
/// it runs in; and radclient's cost per request grows with the size of its file (measured here: 90–110 µs of its CPU per
/// request with files of 300–7,500 requests, 240 µs with 25,000).
/// </remarks>
internal static partial class RadclientLoad
{
    private const int Parallel = 64;
    internal const int FileRequests = 1_000;

    public static async Task<RadclientResult> RunAsync(
        string radclient, FreeRadiusTotp server, IReadOnlyList<RadiusUser> users, int processes, TimeSpan window)
    {
        // A file started near the end of a step could have its late requests rejected: start the window early in a step.
        await WaitForStepTimeAsync(TimeSpan.FromSeconds(Math.Min(FreeRadiusTotp.Period - 1, (window.TotalSeconds * 1.2) + 5)));
        var directory = Directory.CreateTempSubdirectory("mfahost-radclient-");
        try
        {
            var taken = 0;
            var usersShort = false;
            var serverCpu = Process.GetProcessById(server.ProcessId).TotalProcessorTime;
            var radclientCpu = WaitedChildrenCpu();
            var drops = UdpReceiveBufferErrors();
            var serverDrops = SocketDrops(server.Port);
            var started = Stopwatch.GetTimestamp();
            var deadline = started + (long)(window.TotalSeconds * Stopwatch.Frequency);

            async Task<Summary> ProcessSlotAsync(int slot)
            {
                var total = new Summary(0, 0, 0, 0, null);
                for (var file = 0; Stopwatch.GetTimestamp() < deadline && total.Problem is null; file++)
                {
                    var first = Interlocked.Add(ref taken, FileRequests) - FileRequests;
                    if (first + FileRequests > users.Count)
                    {
                        usersShort = true;
                        break;
                    }

                    var step = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / FreeRadiusTotp.Period;
                    var requests = new StringBuilder(FileRequests * 64);
                    for (var i = first; i < first + FileRequests; i++)
                    {
                        requests.Append(CultureInfo.InvariantCulture, $"User-Name = \"{users[i].Name}\", User-Password = \"{users[i].CodeAt(step)}\"\n\n");
                    }

                    var path = Path.Combine(directory.FullName, $"requests-{slot}-{file}.txt");
                    await File.WriteAllTextAsync(path, requests.ToString());
                    total += await RadclientAsync(radclient, server, path, TimeSpan.FromSeconds(FreeRadiusTotp.Period)) with { Sent = FileRequests };
                }

                return total;
            }

            var summaries = await Task.WhenAll(Enumerable.Range(0, processes).Select(slot => Task.Run(() => ProcessSlotAsync(slot))));
            var elapsed = Stopwatch.GetElapsedTime(started);
            return new RadclientResult(
                processes,
                summaries.Sum(s => s.Sent),
                summaries.Sum(s => s.Accepted),
                summaries.Sum(s => s.Rejected),
                summaries.Sum(s => s.Lost),
                elapsed,
                Process.GetProcessById(server.ProcessId).TotalProcessorTime - serverCpu,
                WaitedChildrenCpu() - radclientCpu,
                SocketDrops(server.Port) - serverDrops,
                UdpReceiveBufferErrors() - drops,
                usersShort,
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
            return new Summary(0, 0, 0, 0, $"radclient did not finish within {limit.TotalSeconds} s");
        }

        var text = await output + await error;
        long Count(string name) =>
            SummaryLine().Matches(text).FirstOrDefault(m => m.Groups[1].Value == name) is { } m ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
        return SummaryLine().IsMatch(text)
            ? new Summary(0, Count("Accepted"), Count("Rejected"), Count("Lost"), null)
            : new Summary(0, 0, 0, 0, $"radclient exited with {process.ExitCode} and no summary: {text.Trim()}");
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
    // 64 requests outstanding per radclient, bursts overflow a buffer now and then, and radclient waits out its timeout.
    private static long UdpReceiveBufferErrors()
    {
        var udp = File.ReadLines("/proc/net/snmp").Where(l => l.StartsWith("Udp: ", StringComparison.Ordinal)).ToArray();
        var column = Array.IndexOf(udp[0].Split(' '), "RcvbufErrors");
        return long.Parse(udp[1].Split(' ')[column], CultureInfo.InvariantCulture);
    }

    // The drops counter of the UDP socket bound to 127.0.0.1:PORT (/proc/net/udp, last column): FreeRADIUS's listener.
    private static long SocketDrops(int port)
    {
        var local = $"0100007F:{port:X4}";
        var line = File.ReadLines("/proc/net/udp").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(f => f[1] == local);
        return line is null ? 0 : long.Parse(line[^1], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\s*(Accepted|Rejected|Lost)\s*:\s*(\d+)", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    private sealed record Summary(long Sent, long Accepted, long Rejected, long Lost, string? Problem)
    {
        public static Summary operator +(Summary a, Summary b) =>
            new(a.Sent + b.Sent, a.Accepted + b.Accepted, a.Rejected + b.Rejected, a.Lost + b.Lost, a.Problem ?? b.Problem);
    }
}

/// <summary>What the radclient processes of one run reported, with the CPU time FreeRADIUS and they used meanwhile.</summary>
internal sealed record RadclientResult(
    int Processes, long Sent, long Accepted, long Rejected, long Lost, TimeSpan Elapsed, TimeSpan ServerCpu, TimeSpan RadclientCpu,
    long ServerSocketDrops, long UdpDrops, bool UsersShort, string Problems)
{
    public double PerSecond => Accepted / Elapsed.TotalSeconds;

    public bool AllAccepted => Accepted == Sent && Rejected == 0 && Lost == 0 && Problems.Length == 0;

    public string Summary(string label) =>
        $"{label}: {Accepted:N0} accepted of {Sent:N0} sent (rejected {Rejected}, lost {Lost}) in {Elapsed.TotalSeconds:F2} s = {PerSecond:N0}/s; " +
        $"{Processes} x radclient -p 64 -q -s, files of {RadclientLoad.FileRequests:N0}; dropped for a full receive buffer: {ServerSocketDrops} at freeradius's socket, {UdpDrops} system-wide{(UsersShort ? "; ran out of users before the window ended (totp-setup --users)" : string.Empty)}{(Problems.Length > 0 ? "; " + Problems : string.Empty)}";
}
