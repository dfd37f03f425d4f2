using MfaHost.Protocol.Rpc;

namespace MfaHost.Access;

/// <summary>
/// The default policy, while <c>[access]</c> is not configured: the host's own (effective) uid and root
/// may call every method; everyone else is refused with <c>caller_not_authorized</c>.
/// </summary>
internal sealed class OwnerAndRootAccessPolicy(uint hostUid) : IGatewayAccessPolicy
{
    public OwnerAndRootAccessPolicy()
        : this(UnixUser.EffectiveUid())
    {
    }

    public uint HostUid { get; } = hostUid;

    public AccessDecision Authorize(PeerCredentials peer, string method) =>
        peer.IsKnown && (peer.Uid == 0 || peer.Uid == HostUid)
            ? AccessDecision.Allow
            : AccessDecision.Refuse(ReasonWords.CallerNotAuthorized, $"uid {(peer.IsKnown ? peer.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown")} may not call '{method}'");
}
