using MfaHost.Limits;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.Rpc;
using MfaHost.Resilience;

namespace MfaHost.Protocol.Methods;

/// <summary><c>plugins</c>: every configured instance, loaded or failed (with its error), with its circuit and limits.</summary>
internal sealed class PluginsMethod(ActiveCatalog catalog, InstanceCircuits circuits, LimitStatus limits) : IGatewayMethod
{
    public string Name => "plugins";

    public bool CountsTowardLimit => false;

    // The catalog is an immutable snapshot, but each instance's circuit state and limits change: built per call.
    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var serving = catalog.Current;
        var entries = new List<PluginEntry>();
        foreach (var i in serving.Instances)
        {
            entries.Add(new PluginEntry(
                i.Name,
                i.Type,
                i.Version,
                PluginInstance.CapabilityWords(i.Capabilities),
                !i.IsLoaded ? "failed" : Isolation.IsolatedClient.RestartingReason(i.Client) is null ? "loaded" : "restarting",
                i.IsLoaded ? Isolation.IsolatedClient.RestartingReason(i.Client) : i.Error,
                i.IsLoaded ? circuits.StateOf(i).Word() : null,
                await limits.ReadAsync(serving, i.Name, cancellationToken) is { } entry ? LimitsOf(entry) : null));
        }

        return RpcResult.Of(new PluginsResult(entries), GatewayJsonContext.Default.PluginsResult);
    }

    private static PluginLimits LimitsOf(LimitStatus.Entry entry)
    {
        var s = entry.Settings;
        return new PluginLimits(
            s.LockoutFailures, (long)s.LockoutWindow.TotalSeconds, (long)s.LockoutDuration.TotalSeconds,
            s.PushMax, (long)s.PushWindow.TotalSeconds, s.NumberMatching, entry.LockedOut, entry.PushRateLimited);
    }
}
