using System.Globalization;
using MfaHost.Configuration;

namespace MfaHost.Access;

/// <summary>
/// The one answer to "may this caller call this method, with these arguments": <c>[access]</c> per method and,
/// for <c>ticket</c>, the caller's <c>applids_&lt;uid&gt;</c>. The host's own uid and root may call everything;
/// other uids only the methods of the lists they are in (gateway, admin, ticket). Methods in no list are the
/// owner's only. The dispatcher asks before any method runs; <c>ticket</c> asks again once it knows the APPLID.
/// </summary>
internal class AccessPolicy(AccessRules rules, uint hostUid)
{
    public AccessPolicy(HostSettings settings)
        : this(settings.Access, UnixUser.EffectiveUid())
    {
    }

    /// <param name="peer">The caller, as the kernel reports it.</param>
    /// <param name="method">The gateway method.</param>
    /// <param name="applid">For <c>ticket</c>: the normalized APPLID asked for; null before it is known.</param>
    public virtual AccessDecision Authorize(PeerCredentials peer, string method, string? applid = null)
    {
        if (peer.IsKnown && (peer.Uid == 0 || peer.Uid == hostUid))
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
        if (!peer.IsKnown || list is null || !list.Contains(peer.Uid))
        {
            var who = peer.IsKnown ? "uid " + peer.Uid.ToString(CultureInfo.InvariantCulture) : "a caller whose uid cannot be read";
            return AccessDecision.Refuse(
                ReasonWords.CallerNotAuthorized,
                name is null ? $"{who} may not call '{method}'" : $"{who} may not call '{method}' (not in [access] {name})");
        }

        return applid is not null && rules.TicketApplids.TryGetValue(peer.Uid, out var allowed) && !allowed.Contains(applid)
            ? AccessDecision.Refuse(ReasonWords.ApplidNotAllowed, $"uid {peer.Uid} may not ask for tickets for APPLID {applid} ([access] applids_{peer.Uid})")
            : AccessDecision.Allow;
    }
}
