namespace MfaHost.Rpc;

/// <summary>A JSON-RPC error object: code, message and the stable <c>data.reason</c> word.</summary>
internal sealed record RpcError(int Code, string Message, string Reason);
