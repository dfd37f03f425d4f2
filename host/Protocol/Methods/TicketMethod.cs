using System.Globalization;
using MfaHost.Audit;
using MfaHost.Configuration;
using MfaHost.Access;
using MfaHost.Rpc;
using MfaHost.Tickets;
using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol.Methods;

/// <summary>
/// <c>ticket</c> (ticket callers): exchanges an ACCEPT's session token and an APPLID for a single-use
/// ticket. Every refusal is -32001 with a reason a system programmer can act on, and an audit log line.
/// </summary>
internal sealed class TicketMethod(TicketService tickets, AccessPolicy policy, IAuditTrail audit, ILoggerFactory loggerFactory) : IGatewayMethod
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("MfaHost.Protocol");

    public string Name => "ticket";

    public bool CountsTowardLimit => false;

    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var p = call.ReadParams(GatewayJsonContext.Default.TicketParams);
        var record = AuditRecord.Admin(call.Method, call.Peer, "ticket_issued") with { Detail = p.Applid is { } a ? "applid " + a : null };
        try
        {
            var applid = TicketService.NormalizeApplid(GatewayCall.Required(p.Applid, "applid"));
            if (policy.Authorize(call.Peer, Name, applid) is { Allowed: false } refusal)
            {
                throw new TicketRefusedException(refusal.Reason, refusal.Message);
            }

            var issued = await tickets.IssueAsync(GatewayCall.Required(p.SessionToken, "session_token"), applid, cancellationToken);
            audit.Record(record with { Username = issued.UserId, Detail = "applid " + issued.ApplicationName });
            return RpcResult.Of(new TicketResult(issued.UserId, issued.Ticket, issued.ApplicationName, issued.ExpiresAt), GatewayJsonContext.Default.TicketResult);
        }
        catch (TicketRefusedException e)
        {
            audit.Record(record with { Verdict = AuditRecord.Refused, Reason = e.Reason });
            ProtocolLog.CallRefused(_logger, call.Peer.Uid.ToString(CultureInfo.InvariantCulture), call.Peer.Gid.ToString(CultureInfo.InvariantCulture), call.Peer.Pid, Name, e.Reason);
            throw new RpcException(RpcErrorCodes.Forbidden, $"Forbidden: {e.Message}", e.Reason);
        }
    }
}
