namespace MfaHost.Benchmarks;

/// <summary>
/// <c>totp-compare</c>: the host's <c>totp</c> plugin (every request a fresh valid code of a distinct user, replay claim
/// written durably) and FreeRADIUS 3.2 <c>rlm_totp</c> (no replay check) with the same users and the same number of
/// clients, one after the other in one run; prints both figures and the ratio. Then, unless <c>--radclient-processes 0</c>,
/// FreeRADIUS once more driven by <c>radclient</c> as issue 17 words it (<see cref="RadclientLoad"/>), with its own ratio
/// and whether that figure is <c>radclient</c>'s limit rather than FreeRADIUS's.
/// </summary>
internal static class TotpCompare
{
    public static async Task<int> RunAsync(Options options)
    {
        var socket = options.Required("socket");
        var users = TotpLoad.ReadUsersFile(options.Required("users-file"));
        var connections = options.Int("connections", 16);
        var duration = TimeSpan.FromSeconds(options.Double("seconds") ?? 10);
        // Long enough for the host's tiered JIT to finish: compiled code is what a host serves with, and FreeRADIUS is C.
        var warmup = TimeSpan.FromSeconds(options.Double("warmup-seconds") ?? 15);
        var client = options.Get("driver", "lines") == "client";
        Console.WriteLine($"totp-compare: {users.Length:N0} users, {connections} client(s) each, depth 1, {duration.TotalSeconds} s after {warmup.TotalSeconds} s warm-up");

        var radiusUsers = users.Select(u => new RadiusUser(u.Name, RadiusCode(u.Secret))).ToArray();
        await using var radius = await FreeRadiusTotp.StartAsync(options.Get("freeradius", "freeradius"), users);
        await radius.CheckWithRadclientAsync(options.Get("radclient", "radclient"), radiusUsers[0].Name, radiusUsers[0].CodeAt, TimeSpan.FromSeconds(60));
        Console.WriteLine($"freeradius: private instance on 127.0.0.1:{radius.Port} (radclient: valid code accepted, wrong code rejected)");

        var hostUsers = TotpLoad.ReadUsers(users);
        await TotpLoad.MeasureAsync(socket, hostUsers, "totp", connections, 1, warmup, TimeSpan.Zero, client);
        var hostCpuBefore = CpuOf(options.Pid);
        var host = await TotpLoad.MeasureAsync(socket, hostUsers, "totp", connections, 1, duration, TimeSpan.Zero, client);
        var hostCpu = CpuOf(options.Pid) - hostCpuBefore;
        Console.WriteLine(host.Summary("mfahost totp"));
        Console.WriteLine(LineDriver.Memory(options.Pid));

        await RadiusDriver.RunAsync(radius.EndPoint, radius.SharedSecret, radiusUsers, connections, warmup);
        var radiusCpu = CpuOf(radius.ProcessId);
        var rlm = await RadiusDriver.RunAsync(radius.EndPoint, radius.SharedSecret, radiusUsers, connections, duration);
        var radiusCpuUsed = CpuOf(radius.ProcessId) - radiusCpu;
        Console.WriteLine(rlm.Summary("freeradius rlm_totp"));

        var radclientProcesses = options.Int("radclient-processes", 4);
        var viaRadclient = radclientProcesses > 0
            ? await RadclientLoad.RunAsync(options.Get("radclient", "radclient"), radius, radiusUsers, radclientProcesses, duration)
            : null;
        if (viaRadclient is not null)
        {
            Console.WriteLine(viaRadclient.Summary("freeradius rlm_totp via radclient"));
        }

        Console.WriteLine($"ratio mfahost/rlm_totp: {host.PerSecond / rlm.PerSecond:F2}x throughput; p99 {host.Percentile(99) / 1000:F1} ms against {rlm.Percentile(99) / 1000:F1} ms (the comparison: FreeRADIUS driven as hard as it answers)");
        Console.WriteLine($"server cpu per authentication: mfahost {PerAuthentication(hostCpu, host.Completed)} against freeradius {PerAuthentication(radiusCpuUsed, rlm.Completed)}");
        if (viaRadclient is not null)
        {
            Console.WriteLine($"ratio mfahost/rlm_totp via radclient: {host.PerSecond / viaRadclient.PerSecond:F2}x throughput; freeradius cpu per authentication {PerAuthentication(viaRadclient.ServerCpu, viaRadclient.Accepted)}");
            Console.WriteLine(RadclientVerdict(radiusCpuUsed!.Value / rlm.Elapsed, viaRadclient));
        }

        return host.Errors == 0 && rlm.Errors == 0 && viaRadclient is not { AllAccepted: false } ? 0 : 1;
    }

    // Busy = CPU time over wall time, in cores. Under the benchmark's driver FreeRADIUS shows how busy it gets when the
    // client keeps up; clearly less busy under radclient means the radclient figure is radclient's, not FreeRADIUS's.
    private static string RadclientVerdict(double fairBusy, RadclientResult radclient)
    {
        var busy = radclient.ServerCpu / radclient.Elapsed;
        var usage = $"freeradius busy {busy:F2} core(s) under radclient against {fairBusy:F2} under the benchmark's driver; " +
            $"the radclient processes {radclient.RadclientCpu / radclient.Elapsed:F2} core(s), {PerAuthentication(radclient.RadclientCpu, radclient.Accepted)} cpu per request";
        return busy < fairBusy * 0.8
            ? $"{usage}: the radclient figure is radclient's limit, not FreeRADIUS's (FreeRADIUS idled {1 - (busy / fairBusy):P0} of what it used when the client kept up); its ratio does not compare the servers"
            : $"{usage}: radclient kept FreeRADIUS about as busy as the benchmark's driver";
    }

    // A server's own CPU time (user + system, all threads) per answer: unlike requests/s on a shared machine, it does
    // not depend on how much CPU the scheduler gave the server, and the driver's share is not in it.
    private static TimeSpan? CpuOf(int? pid) => pid is { } p ? System.Diagnostics.Process.GetProcessById(p).TotalProcessorTime : null;

    private static string PerAuthentication(TimeSpan? cpu, long completed) =>
        cpu is { } used && completed > 0 ? $"{used.TotalMilliseconds * 1000 / completed:F1} µs" : "? (no --host-pid)";

    private static Func<long, string> RadiusCode(string secret)
    {
        var totp = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret), FreeRadiusTotp.Period);
        return step => totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * FreeRadiusTotp.Period).UtcDateTime);
    }
}
