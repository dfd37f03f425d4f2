namespace MfaHost.Vocabulary;

/// <summary>
/// The stable reason words the host itself answers: a DENY's <c>reason</c> and an error's <c>error.data.reason</c>.
/// Gateways match on them, so they never change. The words a plugin's verdict carries are the SDK's
/// <see cref="MfaHost.PluginSdk.MfaReasons"/>.
/// </summary>
internal static class ReasonWords
{
    // The gateway protocol: frames, requests, callers (docs/protocol.md).
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

    // Sessions and state.
    public const string SessionEnded = "session_ended";
    public const string StateUnavailable = "state_unavailable";

    // Limits the host enforces before a plugin is called ([lockout] answers the SDK's locked_out).
    public const string PushRateLimited = "push_rate_limited";

    // The admin method and the command line's admin calls.
    public const string UnknownPlugin = "unknown_plugin";
    public const string PluginUnavailable = "plugin_unavailable";
    public const string UnknownOperation = "unknown_operation";
    public const string InvalidArguments = "invalid_arguments";
    public const string OperationRefused = "operation_refused";

    // Tokens and tickets.
    public const string ApplidNotAllowed = "applid_not_allowed";
    public const string ApplidInvalid = "applid_invalid";
    public const string TokenInvalid = "token_invalid";
    public const string TokenExpired = "token_expired";
}
