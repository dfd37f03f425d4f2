using MfaHost.Cli;
using MfaHost.Plugins;
using MfaHost.Protocol.Rpc;

namespace MfaHost.Protocol.Methods;

/// <summary><c>health</c>: the host is up; its version, uptime, loaded plugins and requests in flight.</summary>
internal sealed class HealthMethod(ActiveCatalog catalog, InFlightRequests inFlight, TimeProvider timeProvider) : IGatewayMethod
{
    private readonly long _started = timeProvider.GetTimestamp();

    public string Name => "health";

    public bool CountsTowardLimit => false;

    public ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var uptime = (long)timeProvider.GetElapsedTime(_started).TotalSeconds;
        var serving = catalog.Current;
        var result = new HealthResult("ok", RunCommand.Version, uptime, serving.LoadedCount, inFlight.Count, serving.Generation, serving.LoadedAt);
        return ValueTask.FromResult(RpcResult.Of(result, GatewayJsonContext.Default.HealthResult));
    }
}
