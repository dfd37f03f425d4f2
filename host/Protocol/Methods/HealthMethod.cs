using MfaHost.Cli;
using MfaHost.Plugins;
using MfaHost.Protocol.Rpc;

namespace MfaHost.Protocol.Methods;

/// <summary>
/// <c>health</c>: the host is up; its version, uptime, loaded plugins and requests in flight. <c>degraded</c> with the
/// problems when the state store fails, and with the names in <c>failed_plugins</c> when an instance failed to load
/// (the host serves the others).
/// </summary>
internal sealed class HealthMethod(PluginCatalog catalog, InFlightRequests inFlight, TimeProvider timeProvider, MfaHost.State.StateHealth? state = null) : IGatewayMethod
{
    private readonly long _started = timeProvider.GetTimestamp();
    private readonly int _loaded = catalog.LoadedCount;

    // Configured instances only: a broken plugin folder that no instance uses takes nothing away from the service.
    private readonly IReadOnlyList<string> _failed = [.. catalog.Instances.Where(i => !i.IsLoaded && i.ConfigFile.Length > 0).Select(i => i.Name)];

    public string Name => "health";

    public bool CountsTowardLimit => false;

    public ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var uptime = (long)timeProvider.GetElapsedTime(_started).TotalSeconds;

        // Degraded, not down: decisions that need no state (whitelist, push without state) still work, and so do the instances that loaded.
        var problem = state?.Problem;
        var failed = _failed.Count == 0 ? null : _failed;
        var result = new HealthResult(problem is null && failed is null ? "ok" : "degraded", RunCommand.Version, uptime, _loaded, inFlight.Count, problem is null ? null : [problem], failed);
        return ValueTask.FromResult(RpcResult.Of(result, GatewayJsonContext.Default.HealthResult));
    }
}
