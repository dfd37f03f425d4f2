namespace MfaHost.Vocabulary;

/// <summary>The JSON-RPC 2.0 error codes of the gateway protocol.</summary>
internal static class RpcErrorCodes
{
    /// <summary>The line is not valid JSON (the answer's id is null).</summary>
    public const int ParseError = -32700;

    /// <summary>Valid JSON, but not a JSON-RPC 2.0 request; also a line longer than <c>max_frame_bytes</c>.</summary>
    public const int InvalidRequest = -32600;

    /// <summary>No such method.</summary>
    public const int MethodNotFound = -32601;

    /// <summary>The params are missing a field, have a field of the wrong type, or name an unknown plugin.</summary>
    public const int InvalidParams = -32602;

    /// <summary>The host failed; details are in its log, never in the answer.</summary>
    public const int InternalError = -32603;

    /// <summary>The caller's uid may not call this method.</summary>
    public const int Forbidden = -32001;

    /// <summary>The host is at its concurrency limit or shutting down; the client may retry.</summary>
    public const int Overloaded = -32002;

    /// <summary>A plugin's administrative operation refused (for example "already enrolled").</summary>
    public const int OperationRefused = -32003;
}
