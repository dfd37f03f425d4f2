using MfaHost.Pipeline;
using MfaHost.Protocol.Rpc;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Protocol.Methods;

/// <summary><c>session_ended</c>: the gateway's session is over; plugins release what they hold for it.</summary>
internal sealed class SessionEndedMethod(IServiceProvider services) : IGatewayMethod
{
    private readonly IAuthenticationPipeline? _pipeline = services.GetService<IAuthenticationPipeline>();

    public string Name => "session_ended";

    public bool CountsTowardLimit => true;

    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var p = call.ReadParams(GatewayJsonContext.Default.SessionEndedParams);
        var sessionId = GatewayCall.Required(p.SessionId, "session_id");
        var pipeline = _pipeline ?? throw new InvalidOperationException("no IAuthenticationPipeline is registered in HostComposition");
        var ended = await pipeline.SessionEndedAsync(sessionId, cancellationToken).WaitAsync(cancellationToken);
        return RpcResult.Of(new SessionEndedResult(ended), GatewayJsonContext.Default.SessionEndedResult);
    }
}
