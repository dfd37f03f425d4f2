namespace MfaHost.Client;

/// <summary>The host answered a call with a JSON-RPC error.</summary>
public sealed class MfaHostRpcException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">The JSON-RPC error code, e.g. -32602.</param>
    /// <param name="message">The host's message.</param>
    /// <param name="reason">The stable <c>error.data.reason</c> word, when the host sent one.</param>
    public MfaHostRpcException(int code, string message, string? reason)
        : base(message)
    {
        Code = code;
        Reason = reason;
    }

    /// <summary>Creates the exception with a message only (code -32603).</summary>
    public MfaHostRpcException()
        : this(-32603, "MfaHost error", null)
    {
    }

    /// <summary>Creates the exception with a message only (code -32603).</summary>
    /// <param name="message">The message.</param>
    public MfaHostRpcException(string message)
        : this(-32603, message, null)
    {
    }

    /// <summary>Creates the exception with a message and a cause (code -32603).</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MfaHostRpcException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = -32603;
    }

    /// <summary>
    /// The JSON-RPC error code: -32700 parse error, -32600 invalid request, -32601 unknown method,
    /// -32602 invalid params, -32603 internal error, -32001 forbidden, -32002 overloaded (retry later).
    /// </summary>
    public int Code { get; }

    /// <summary>The stable snake_case word of <c>error.data.reason</c> (e.g. <c>unknown_plugin</c>), or null.</summary>
    public string? Reason { get; }
}
