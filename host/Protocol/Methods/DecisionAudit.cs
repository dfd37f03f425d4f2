using MfaHost.Audit;
using MfaHost.Pipeline;
using MfaHost.Plugins;

namespace MfaHost.Protocol.Methods;

/// <summary>Turns one <c>authenticate</c> answer into its audit record.</summary>
internal sealed class DecisionAudit(IAuditTrail trail, ActiveCatalog catalog)
{
    public void Record(GatewayCall call, AuthenticationRequest request, AuthenticateResult result, TimeSpan latency) =>
        trail.Record(new AuditRecord
        {
            Event = AuditRecord.DecisionEvent,
            Method = call.Method,
            CallerUid = call.Peer.IsKnown ? call.Peer.Uid : null,
            CallerPid = call.Peer.IsKnown ? call.Peer.Pid : null,
            Plugin = request.Plugin,
            PluginType = catalog.Current.TryGet(request.Plugin, out var instance) ? instance.Type : null,
            Username = request.Username,
            MfaIdentity = result.MfaIdentity ?? request.MfaIdentity,
            ClientIp = request.ClientIp,
            Protocol = request.Protocol,
            SessionId = request.SessionId,
            Verdict = result.Verdict,
            Reason = result.Reason,
            LatencyMs = latency.TotalMilliseconds,
        });
}
