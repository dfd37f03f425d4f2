using MfaHost.Rpc;

namespace MfaHost.Protocol.Methods;

/// <summary>
/// One method of the gateway protocol. Register an implementation in
/// <see cref="GatewayProtocolServiceCollectionExtensions.AddGatewayProtocol"/> and the dispatcher serves it.
/// </summary>
internal interface IGatewayMethod
{
    /// <summary>The JSON-RPC method name.</summary>
    string Name { get; }

    /// <summary>
    /// Whether a call counts toward <c>max_in_flight</c>. Cheap answers (health, plugins) do not, so an
    /// operator can watch a host that is at its limit.
    /// </summary>
    bool CountsTowardLimit { get; }

    /// <summary>
    /// Runs one call. Throw <see cref="RpcException"/> for a protocol error; the token fires when the
    /// request times out, the connection closes or the host stops.
    /// </summary>
    ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken);
}
