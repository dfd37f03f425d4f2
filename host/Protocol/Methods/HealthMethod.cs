using MfaHost.Cli;
using MfaHost.Plugins;
using MfaHost.Protocol.Rpc;

namespace MfaHost.Protocol.Methods;

/// <summary><c>health</c>: the host is up; its version, uptime, loaded plugins and requests in flight; <c>degraded</c> with the problems when the state store fails.</summary>
internal sealed class HealthMethod(ActiveCatalog catalog, InFlightRequests inFlight, TimeProvider timeProvider, MfaHost.State.StateHealth? state = null) : IGatewayMethod
{
    private readonly long _started = timeProvider.GetTimestamp();

    public string Name => "health";

    public bool CountsTowardLimit => false;

    public ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var uptime = (long)timeProvider.GetElapsedTime(_started).TotalSeconds;
        var serving = catalog.Current;

        // Degraded, not down: decisions that need no state (whitelist, push without state) still work.
        var result = state?.Problem is { } problem
            ? new HealthResult("degraded", RunCommand.Version, uptime, serving.LoadedCount, inFlight.Count, [problem], serving.Generation, serving.LoadedAt)
            : new HealthResult("ok", RunCommand.Version, uptime, serving.LoadedCount, inFlight.Count, null, serving.Generation, serving.LoadedAt);
        return ValueTask.FromResult(RpcResult.Of(result, GatewayJsonContext.Default.HealthResult));
    }
}
