using MfaHost.Cli;
using MfaHost.Plugins;
using MfaHost.Rpc;
using MfaHost.Metrics;

namespace MfaHost.Protocol.Methods;

/// <summary>
/// <c>health</c>: the host is up; its version, uptime, loaded plugins and requests in flight. <c>degraded</c> with the
/// problems when the state store fails, and with the names in <c>failed_plugins</c> when an instance failed to load or its
/// worker is restarting (the host serves the others).
/// </summary>
internal sealed class HealthMethod(ActiveCatalog catalog, InFlightRequests inFlight, TimeProvider timeProvider, MfaHost.State.StateHealth? state = null) : IGatewayMethod
{
    private readonly long _started = timeProvider.GetTimestamp();

    public string Name => "health";

    public bool CountsTowardLimit => false;

    public ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var uptime = (long)timeProvider.GetElapsedTime(_started).TotalSeconds;
        var serving = catalog.Current;

        // Degraded, not down: decisions that need no state (whitelist, push without state) still work, and so do the
        // instances that loaded. Configured instances only: a broken plugin folder no instance uses takes nothing away.
        var problem = state?.Problem;
        IReadOnlyList<string> failed = [.. serving.Instances.Where(i => (!i.IsLoaded && i.ConfigFile.Length > 0) || Isolation.IsolatedClient.RestartingReason(i.Client) is not null).Select(i => i.Name)];
        var result = new HealthResult(
            problem is null && failed.Count == 0 ? "ok" : "degraded",
            HostVersion.Value,
            uptime,
            serving.LoadedCount,
            inFlight.Count,
            problem is null ? null : [problem],
            serving.Generation,
            serving.LoadedAt,
            failed.Count == 0 ? null : failed);
        return ValueTask.FromResult(RpcResult.Of(result, GatewayJsonContext.Default.HealthResult));
    }
}
