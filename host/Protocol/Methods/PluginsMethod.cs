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
                    !i.IsLoaded ? "failed" : Isolation.IsolatedClient.RestartingReason(i.Client) is null ? "loaded" : "restarting",
                    i.IsLoaded ? Isolation.IsolatedClient.RestartingReason(i.Client) : i.Error,
                    i.IsLoaded ? CircuitWord(circuits.StateOf(i)) : null))
                .ToList()),
            GatewayJsonContext.Default.PluginsResult));

    internal static string CircuitWord(CircuitState state) => state switch
    {
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        _ => "closed",
    };
}
