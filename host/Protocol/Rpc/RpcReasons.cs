namespace MfaHost.Protocol.Rpc;

/// <summary>The stable <c>error.data.reason</c> words the protocol layer itself answers.</summary>
internal static class RpcReasons
{
    public const string ParseError = "parse_error";
    public const string InvalidRequest = "invalid_request";
    public const string FrameTooLarge = "frame_too_large";
    public const string FrameTimeout = "frame_timeout";
    public const string TooManyConnections = "too_many_connections";
    public const string BatchNotSupported = "batch_not_supported";
    public const string UnknownMethod = "unknown_method";
    public const string InvalidParams = "invalid_params";
    public const string MissingField = "missing_field";
    public const string InvalidField = "invalid_field";
    public const string InternalError = "internal_error";
    public const string Timeout = "timeout";
    public const string CallerNotAuthorized = "caller_not_authorized";
    public const string Overloaded = "overloaded";
    public const string ShuttingDown = "shutting_down";
}
