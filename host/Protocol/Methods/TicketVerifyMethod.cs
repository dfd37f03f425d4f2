using MfaHost.Protocol.Rpc;
using MfaHost.Tickets;

namespace MfaHost.Protocol.Methods;

/// <summary><c>ticket_verify</c> (ticket callers): valid the first time only.</summary>
internal sealed class TicketVerifyMethod(TicketService tickets) : IGatewayMethod
{
    public string Name => "ticket_verify";

    public bool CountsTowardLimit => false;

    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var p = call.ReadParams(GatewayJsonContext.Default.TicketVerifyParams);
        var reason = await tickets.VerifyAsync(
            GatewayCall.Required(p.UserId, "user_id"),
            GatewayCall.Required(p.Applid, "applid"),
            GatewayCall.Required(p.Ticket, "ticket"),
            cancellationToken);
        return RpcResult.Of(new TicketVerifyResult(reason is null, reason), GatewayJsonContext.Default.TicketVerifyResult);
    }
}
