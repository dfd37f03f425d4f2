using MfaHost.Rpc;
using MfaHost.Reload;

namespace MfaHost.Protocol.Methods;

/// <summary>
/// <c>reload</c> (admin): reads the configuration again and swaps it in when it is sound; the result
/// says what changed, or every problem that kept the serving configuration in place.
/// </summary>
internal sealed class ReloadMethod(ConfigurationReloader reloader) : IGatewayMethod
{
    public string Name => "reload";

    public bool CountsTowardLimit => false;

    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var result = await reloader.ReloadAsync($"reload method ({call.Peer})", cancellationToken);
        return RpcResult.Of(
            new ReloadMethodResult(result.Applied, result.Generation, result.LoadedAt, result.Problems, result.Added, result.Changed, result.Removed, result.RestartRequired),
            GatewayJsonContext.Default.ReloadMethodResult);
    }
}
