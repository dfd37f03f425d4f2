using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.Protocol.Rpc;
using MfaHost.Resilience;

namespace MfaHost.Protocol.Methods;

/// <summary><c>plugins</c>: every configured instance, loaded or failed (with its error).</summary>
internal sealed class PluginsMethod(ActiveCatalog catalog, InstanceCircuits circuits) : IGatewayMethod
{
    public string Name => "plugins";

    public bool CountsTowardLimit => false;

    // The catalog is an immutable snapshot, but each instance's circuit state changes: built per call.
    public ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(RpcResult.Of(
            new PluginsResult(catalog.Current.Instances
                .Select(i => new PluginEntry(
                    i.Name,
                    i.Type,
                    i.Version,
                    PluginInstance.CapabilityWords(i.Capabilities),
                    i.IsLoaded ? "loaded" : "failed",
                    i.IsLoaded ? null : i.Error,
                    i.IsLoaded ? circuits.StateOf(i).Word() : null))
                .ToList()),
            GatewayJsonContext.Default.PluginsResult));
}
