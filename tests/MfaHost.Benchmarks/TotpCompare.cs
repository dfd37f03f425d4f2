namespace MfaHost.Benchmarks;

/// <summary>
/// <c>totp-compare</c>: the host's <c>totp</c> plugin (every request a fresh valid code of a distinct user, replay claim
/// written durably) and FreeRADIUS 3.2 <c>rlm_totp</c> (no replay check) with the same users and the same number of
/// clients, one after the other in one run; prints both figures and the ratio.
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
        var hostCpu = CpuOf(options.Pid);
        var host = await TotpLoad.MeasureAsync(socket, hostUsers, "totp", connections, 1, duration, TimeSpan.Zero, client);
        var hostCpuPerAuth = PerAuthentication(CpuOf(options.Pid) - hostCpu, host);
        Console.WriteLine(host.Summary("mfahost totp"));
        Console.WriteLine(LineDriver.Memory(options.Pid));

        await RadiusDriver.RunAsync(radius.EndPoint, radius.SharedSecret, radiusUsers, connections, warmup);
        var radiusCpu = CpuOf(radius.ProcessId);
        var rlm = await RadiusDriver.RunAsync(radius.EndPoint, radius.SharedSecret, radiusUsers, connections, duration);
        var radiusCpuPerAuth = PerAuthentication(CpuOf(radius.ProcessId) - radiusCpu, rlm);
        Console.WriteLine(rlm.Summary("freeradius rlm_totp"));
        Console.WriteLine($"ratio mfahost/rlm_totp: {host.PerSecond / rlm.PerSecond:F2}x throughput; p99 {host.Percentile(99) / 1000:F1} ms against {rlm.Percentile(99) / 1000:F1} ms");
        Console.WriteLine($"server cpu per authentication: mfahost {hostCpuPerAuth} against freeradius {radiusCpuPerAuth}");
        return host.Errors == 0 && rlm.Errors == 0 ? 0 : 1;
    }

    // A server's own CPU time (user + system, all threads) per answer: unlike requests/s on a shared machine, it does
    // not depend on how much CPU the scheduler gave the server, and the driver's share is not in it.
    private static TimeSpan? CpuOf(int? pid) => pid is { } p ? System.Diagnostics.Process.GetProcessById(p).TotalProcessorTime : null;

    private static string PerAuthentication(TimeSpan? cpu, DriverResult result) =>
        cpu is { } used && result.Completed > 0 ? $"{used.TotalMilliseconds * 1000 / result.Completed:F1} µs" : "? (no --host-pid)";

    private static Func<long, string> RadiusCode(string secret)
    {
        var totp = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret), FreeRadiusTotp.Period);
        return step => totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * FreeRadiusTotp.Period).UtcDateTime);
    }
}
