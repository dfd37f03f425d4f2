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
        var warmup = TimeSpan.FromSeconds(options.Double("warmup-seconds") ?? 2);
        Console.WriteLine($"totp-compare: {users.Length:N0} users, {connections} client(s) each, depth 1, {duration.TotalSeconds} s after {warmup.TotalSeconds} s warm-up");

        var radiusUsers = users.Select(u => new RadiusUser(u.Name, RadiusCode(u.Secret))).ToArray();
        await using var radius = await FreeRadiusTotp.StartAsync(options.Get("freeradius", "freeradius"), users);
        await radius.CheckWithRadclientAsync(options.Get("radclient", "radclient"), radiusUsers[0].Name, radiusUsers[0].CodeAt, TimeSpan.FromSeconds(60));
        Console.WriteLine($"freeradius: private instance on 127.0.0.1:{radius.Port} (radclient: valid code accepted, wrong code rejected)");

        var host = await TotpLoad.MeasureAsync(socket, TotpLoad.ReadUsers(users), "totp", connections, 1, duration, warmup);
        Console.WriteLine(host.Summary("mfahost totp"));
        Console.WriteLine(LineDriver.Memory(options.Pid));

        await RadiusDriver.RunAsync(radius.EndPoint, radius.SharedSecret, radiusUsers, connections, warmup);
        var rlm = await RadiusDriver.RunAsync(radius.EndPoint, radius.SharedSecret, radiusUsers, connections, duration);
        Console.WriteLine(rlm.Summary("freeradius rlm_totp"));
        Console.WriteLine($"ratio mfahost/rlm_totp: {host.PerSecond / rlm.PerSecond:F2}x throughput; p99 {host.Percentile(99) / 1000:F1} ms against {rlm.Percentile(99) / 1000:F1} ms");
        return host.Errors == 0 && rlm.Errors == 0 ? 0 : 1;
    }

    private static Func<long, string> RadiusCode(string secret)
    {
        var totp = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret), FreeRadiusTotp.Period);
        return step => totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * FreeRadiusTotp.Period).UtcDateTime);
    }
}
