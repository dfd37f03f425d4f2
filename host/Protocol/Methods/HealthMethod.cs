using MfaHost.Cli;
using MfaHost.Plugins;
using MfaHost.Protocol.Rpc;

namespace MfaHost.Protocol.Methods;

/// <summary><c>health</c>: the host is up; its version, uptime, loaded plugins and requests in flight; <c>degraded</c> with the problems when the state store fails.</summary>
internal sealed class HealthMethod(PluginCatalog catalog, InFlightRequests inFlight, TimeProvider timeProvider, MfaHost.State.StateHealth? state = null) : IGatewayMethod
{
    private readonly long _started = timeProvider.GetTimestamp();
    private readonly int _loaded = catalog.LoadedCount;

    public string Name => "health";

    public bool CountsTowardLimit => false;

    public ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var uptime = (long)timeProvider.GetElapsedTime(_started).TotalSeconds;
        // Degraded, not down: decisions that need no state (whitelist, push without state) still work.
        var result = state?.Problem is { } problem
            ? new HealthResult("degraded", RunCommand.Version, uptime, _loaded, inFlight.Count, [problem])
            : new HealthResult("ok", RunCommand.Version, uptime, _loaded, inFlight.Count);
        return ValueTask.FromResult(RpcResult.Of(result, GatewayJsonContext.Default.HealthResult));
    }
}
