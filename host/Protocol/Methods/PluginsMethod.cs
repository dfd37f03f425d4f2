using MfaHost.Plugins;
using MfaHost.Protocol.Rpc;

namespace MfaHost.Protocol.Methods;

/// <summary><c>plugins</c>: every configured instance, loaded or failed (with its error).</summary>
internal sealed class PluginsMethod(PluginCatalog catalog) : IGatewayMethod
{
    // The catalog is an immutable snapshot, so the answer is computed once.
    private readonly RpcResult _result = RpcResult.Of(
        new PluginsResult(catalog.Instances
            .Select(i => new PluginEntry(
                i.Name,
                i.Type,
                i.Version,
                PluginInstance.CapabilityWords(i.Capabilities),
                i.IsLoaded ? "loaded" : "failed",
                i.IsLoaded ? null : i.Error))
            .ToList()),
        GatewayJsonContext.Default.PluginsResult);

    public string Name => "plugins";

    public bool CountsTowardLimit => false;

    public ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken) => ValueTask.FromResult(_result);
}
