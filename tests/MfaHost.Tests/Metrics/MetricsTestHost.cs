using MfaHost.Client;
using MfaHost.Metrics;
using MfaHost.Testing;
using MfaHost.Tests.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Tests.Metrics;

/// <summary>
/// A real host with <c>[metrics] listen = 127.0.0.1:0</c> and three instances: <c>probe_ok</c> (accepts),
/// <c>probe_no</c> (denies) and <c>broken</c> (fails to load).
/// </summary>
internal static class MetricsTestHost
{
    public const string User = "alice.metrics";

    public const string Otp = "493817";

    public static readonly Dictionary<string, string> Instances = new()
    {
        ["probe_ok"] = TestPluginHost.Scripted("outcome = accept"),
        ["probe_no"] = TestPluginHost.Scripted("outcome = deny"),
        ["broken"] = "[plugin]\ntype = throwing\n",
    };

    public static Task<RunningHost> StartAsync(string metricsSection = "listen = 127.0.0.1:0") =>
        TestPluginHost.StartAsync(Instances, "[metrics]\n" + metricsSection);

    public static Uri Address(RunningHost host) =>
        host.Services.GetRequiredService<MetricsHttpListener>().Address ?? throw new InvalidOperationException("the metrics listener is off");

    /// <summary>Three ACCEPTs from probe_ok and two DENYs from probe_no, through the socket, with a code.</summary>
    public static async Task AuthenticateAsync(RunningHost host, string user = User)
    {
        await using var client = await host.CreateClientAsync();
        foreach (var (plugin, times) in new[] { ("probe_ok", 3), ("probe_no", 2) })
        {
            for (var i = 0; i < times; i++)
            {
                await client.AuthenticateAsync(new AuthenticateParams
                {
                    Plugin = plugin,
                    SessionId = $"{plugin}-{i}-{Guid.NewGuid():N}",
                    Username = user,
                    MfaPassword = Otp,
                    ClientIp = "192.0.2.7",
                });
            }
        }
    }
}
