namespace MfaHost.Rpc;

/// <summary>
/// One decoded JSON-RPC request. <see cref="Id"/> is the id's JSON text exactly as sent (a string
/// with its quotes, or a number), echoed back unchanged; null for a notification.
/// </summary>
internal sealed class RpcRequest(byte[]? id, string method, byte[]? parameters)
{
    public byte[]? Id { get; } = id;

    public string Method { get; } = method;

    /// <summary>The params' JSON text (an object or an array), or null when absent.</summary>
    public byte[]? Params { get; } = parameters;

    public bool IsNotification => Id is null;
}
