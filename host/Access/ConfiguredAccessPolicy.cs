using System.Globalization;
using MfaHost.Configuration;
using MfaHost.Protocol.Rpc;

namespace MfaHost.Access;

/// <summary>
/// <c>[access]</c> enforced per method: the host's own uid and root may call everything; other uids only
/// the methods of the lists they are in (gateway, admin, ticket). Methods in no list are the owner's only.
/// </summary>
internal sealed class ConfiguredAccessPolicy(AccessRules rules, uint hostUid) : IGatewayAccessPolicy
{
    public ConfiguredAccessPolicy(HostSettings settings)
        : this(settings.Access, UnixUser.EffectiveUid())
    {
    }

    public bool IsOwnerOrRoot(PeerCredentials peer) => peer.IsKnown && (peer.Uid == 0 || peer.Uid == hostUid);

    public AccessDecision Authorize(PeerCredentials peer, string method)
    {
        if (IsOwnerOrRoot(peer))
        {
            return AccessDecision.Allow;
        }

        var (list, name) = method switch
        {
            "authenticate" or "session_ended" or "plugins" or "health" => (rules.GatewayUids, "gateway_uids"),
            "token_create" or "reload" or "admin" => (rules.AdminUids, "admin_uids"),
            "ticket" or "ticket_verify" => (rules.TicketUids, "ticket_uids"),
            _ => (null, null),
        };
        if (peer.IsKnown && list is not null && list.Contains(peer.Uid))
        {
            return AccessDecision.Allow;
        }

        var who = peer.IsKnown ? "uid " + peer.Uid.ToString(CultureInfo.InvariantCulture) : "a caller whose uid cannot be read";
        return AccessDecision.Refuse(
            ReasonWords.CallerNotAuthorized,
            name is null ? $"{who} may not call '{method}'" : $"{who} may not call '{method}' (not in [access] {name})");
    }
}
