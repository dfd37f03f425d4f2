using MfaHost.Limits;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.Protocol.Rpc;

namespace MfaHost.Protocol.Methods;

/// <summary><c>plugins</c>: every configured instance, loaded or failed (with its error), with its circuit and limits.</summary>
internal sealed class PluginsMethod(PluginCatalog catalog, PipelineSettingsCatalog settings, LimitState limits) : IGatewayMethod
{
    public string Name => "plugins";

    public bool CountsTowardLimit => false;

    // The catalog is an immutable snapshot, but each instance's circuit and limits change: built per call.
    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var entries = new List<PluginEntry>();
        foreach (var i in catalog.Instances)
        {
            entries.Add(new PluginEntry(
                i.Name,
                i.Type,
                i.Version,
                PluginInstance.CapabilityWords(i.Capabilities),
                i.IsLoaded ? "loaded" : "failed",
                i.IsLoaded ? null : i.Error,
                i.Client is { } client ? CircuitWord(client.CircuitState) : null,
                i.IsLoaded && settings.TryGet(i.Name, out var pipeline, out _) ? await LimitsOfAsync(i.Name, pipeline.Limits, cancellationToken) : null));
        }

        return RpcResult.Of(new PluginsResult(entries), GatewayJsonContext.Default.PluginsResult);
    }

    private async Task<PluginLimits> LimitsOfAsync(string instance, LimitSettings s, CancellationToken cancellationToken)
    {
        var (lockedOut, pushRateLimited) = await limits.CountAsync(instance, s, cancellationToken);
        return new PluginLimits(
            s.LockoutFailures, (long)s.LockoutWindow.TotalSeconds, (long)s.LockoutDuration.TotalSeconds,
            s.PushMax, (long)s.PushWindow.TotalSeconds, s.NumberMatching, lockedOut, pushRateLimited);
    }

    private static string CircuitWord(CircuitState state) => state switch
    {
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        _ => "closed",
    };
}
