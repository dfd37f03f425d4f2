using MfaHost.Audit;
using MfaHost.Rpc;
using MfaHost.Tickets;

namespace MfaHost.Protocol.Methods;

/// <summary><c>token_create</c> (admin callers): a one-time token for a user, shown once.</summary>
internal sealed class TokenCreateMethod(OneTimeTokenService tokens, IAuditTrail audit) : IGatewayMethod
{
    public string Name => "token_create";

    public bool CountsTowardLimit => false;

    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var p = call.ReadParams(GatewayJsonContext.Default.TokenCreateParams);
        var username = GatewayCall.Required(p.Username, "username");
        try
        {
            var (token, expiresAt) = await tokens.CreateAsync(username, p.TtlS is { } ttl ? TimeSpan.FromSeconds(ttl) : null, cancellationToken);
            audit.Record(AuditRecord.Admin(call.Method, call.Peer, "token_created") with { Username = username, Detail = "expires " + expiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
            return RpcResult.Of(new TokenCreateResult(token, expiresAt), GatewayJsonContext.Default.TokenCreateResult);
        }
        catch (ArgumentException e)
        {
            audit.Record(AuditRecord.Admin(call.Method, call.Peer, "token_created", AuditRecord.Refused) with { Username = username, Reason = ReasonWords.InvalidField });
            throw new RpcException(RpcErrorCodes.InvalidParams, "Invalid params: " + e.Message.Split(" (Parameter", 2)[0], ReasonWords.InvalidField);
        }
    }
}
