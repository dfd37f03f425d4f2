namespace MfaHost.Access;

/// <summary>Decides, per call, whether the connection's peer may call a method. Called before the method runs.</summary>
internal interface IGatewayAccessPolicy
{
    AccessDecision Authorize(PeerCredentials peer, string method);
}
