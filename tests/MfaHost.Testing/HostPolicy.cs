using MfaHost.Configuration;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.Resilience;
using Microsoft.Extensions.Logging.Abstractions;

namespace MfaHost.Testing;

/// <summary>
/// A plugin called the way the host calls it (its per-instance <c>PluginCallGuard</c>: fail-open, circuit breaker,
/// request_timeout bound), for plugin tests that call a client directly but assert what the gateway would get.
/// </summary>
public static class HostPolicy
{
    /// <summary>Authenticates <paramref name="request"/> with <paramref name="client"/> under the host's policy (default <c>[circuit]</c>, 120 s bound).</summary>
    public static Task<MfaVerdict> AuthenticateAsync(MfaClient client, MfaRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var instance = new PluginInstance { Name = "test", Type = "test", ConfigFile = "test.ini", Client = client };
        var host = new HostSettings { ConfigFile = "mfahost.ini", ConfigDirectory = ".", SocketPath = "s.sock", PluginsDirectory = ".", PluginConfigDirectory = ".", DataDirectory = "." };
        var guard = new PluginCallGuard(new InstanceCircuits(TimeProvider.System, NullLoggerFactory.Instance), host, TimeProvider.System, NullLogger<PluginCallGuard>.Instance);
        return guard.AuthenticateAsync(instance, PipelineSettings.Default, request, cancellationToken, CancellationToken.None);
    }
}
