using MfaHost.Client;
using MfaHost.Testing;
using MfaHost.Tests.Protocol;

namespace MfaHost.Tests.Isolation;

/// <summary>A real host with the misbehaving test plugin in a worker process (<c>iso</c>) and in the host (<c>inproc</c>).</summary>
internal static class IsolationHost
{
    public static string Misbehaving(string isolation, string extra = "") => $"[plugin]\ntype = misbehaving\nisolation = {isolation}\n{extra}";

    public static Task<RunningHost> StartAsync(string isolatedExtra = "", string? hostConfiguration = null) =>
        TestPluginHost.StartAsync(
            new Dictionary<string, string>
            {
                ["iso"] = Misbehaving("process", isolatedExtra),
                ["inproc"] = Misbehaving("none"),
                ["noop"] = TestPluginHost.Noop,
            },
            hostConfiguration);

    public static Task<AuthenticateResult> AuthenticateAsync(this MfaHostClient client, string plugin, string username, string session = "s1", CancellationToken cancellationToken = default) =>
        client.AuthenticateAsync(new AuthenticateParams { Plugin = plugin, SessionId = session + "-" + username, Username = username }, cancellationToken);

    public static int Pid(this AuthenticateResult result) =>
        result.Metadata is { } metadata && metadata.TryGetValue("pid", out var pid) ? int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>Asks <paramref name="plugin"/> until it ACCEPTs (its worker is back), at most <paramref name="within"/>.</summary>
    public static async Task<AuthenticateResult> WaitUntilServingAsync(this MfaHostClient client, string plugin, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var n = 0;
        while (true)
        {
            // A user of its own each time: the host's push limit (three per user) would answer instead of the plugin.
            var result = await client.AuthenticateAsync(plugin, "waiting" + n++);
            if (result.IsAccept || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(200);
        }
    }
}
