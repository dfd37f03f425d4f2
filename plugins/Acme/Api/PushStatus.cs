namespace MfaHost.Plugins.Acme.Api;

/// <summary>The state of a push transaction, as <c>GET /push/{txid}</c> reports it.</summary>
internal enum PushStatus
{
    Waiting,
    Approved,
    Denied,
    Expired,
}
