namespace MfaHost.Rpc;

/// <summary>
/// Thrown by a method to answer a JSON-RPC error. The message goes to the gateway as is: never
/// put a secret in it.
/// </summary>
internal sealed class RpcException(int code, string message, string reason) : Exception(message)
{
    public int Code { get; } = code;

    /// <summary>The stable snake_case word of <c>error.data.reason</c>.</summary>
    public string Reason { get; } = reason;

    public RpcError ToError() => new(Code, Message, Reason);
}
