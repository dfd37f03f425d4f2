using MfaHost.Pipeline;
using MfaHost.Rpc;

namespace MfaHost.Protocol.Methods;

/// <summary><c>session_ended</c>: the gateway's session is over; plugins release what they hold for it.</summary>
internal sealed class SessionEndedMethod(IAuthenticationPipeline pipeline) : IGatewayMethod
{
    public string Name => "session_ended";

    public bool CountsTowardLimit => true;

    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var p = call.ReadParams(GatewayJsonContext.Default.SessionEndedParams);
        var sessionId = GatewayCall.Required(p.SessionId, "session_id");
        var ended = await pipeline.SessionEndedAsync(sessionId, cancellationToken).WaitAsync(cancellationToken);
        return RpcResult.Of(new SessionEndedResult(ended), GatewayJsonContext.Default.SessionEndedResult);
    }
}
