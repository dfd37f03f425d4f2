using MfaHost.Audit;
using MfaHost.Rpc;
using MfaHost.Tickets;

namespace MfaHost.Protocol.Methods;

/// <summary><c>ticket_verify</c> (ticket callers): valid the first time only.</summary>
internal sealed class TicketVerifyMethod(TicketService tickets, IAuditTrail audit) : IGatewayMethod
{
    public string Name => "ticket_verify";

    public bool CountsTowardLimit => false;

    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var p = call.ReadParams(GatewayJsonContext.Default.TicketVerifyParams);
        var userId = GatewayCall.Required(p.UserId, "user_id");
        var applid = GatewayCall.Required(p.Applid, "applid");
        var reason = await tickets.VerifyAsync(userId, applid, GatewayCall.Required(p.Ticket, "ticket"), cancellationToken);
        audit.Record(AuditRecord.Admin(call.Method, call.Peer, "ticket_verified", reason is null ? AuditRecord.Done : AuditRecord.Refused) with
        {
            Username = userId,
            Reason = reason,
            Detail = "applid " + applid,
        });
        return RpcResult.Of(new TicketVerifyResult(reason is null, reason), GatewayJsonContext.Default.TicketVerifyResult);
    }
}
