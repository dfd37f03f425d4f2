namespace MfaHost.PluginSdk;

/// <summary>
/// The stable snake_case words that a verdict's <see cref="MfaVerdict.Reason"/> carries.
/// Gateways match on these, so they never change; plugins may use words of their own as well.
/// </summary>
public static class MfaReasons
{
    /// <summary>The second factor was verified.</summary>
    public const string Accepted = "accepted";

    /// <summary>The service was unreachable and the instance fails open (<c>ignore_connection_error</c>).</summary>
    public const string AcceptedServiceUnreachable = "accepted_service_unreachable";

    /// <summary>The user is on the instance's whitelist and needs no second factor.</summary>
    public const string Whitelisted = "whitelisted";

    /// <summary>A recent authentication of the same user and client was reused.</summary>
    public const string Cached = "cached";

    /// <summary>A one-time token issued by an administrator was accepted.</summary>
    public const string OneTimeToken = "one_time_token";

    /// <summary>The service said no, or the code was wrong.</summary>
    public const string AuthenticationFailed = "authentication_failed";

    /// <summary>The service could not be reached (refused, DNS, TLS handshake, timeout).</summary>
    public const string ServiceUnreachable = "service_unreachable";

    /// <summary>The service answered something the plugin does not understand.</summary>
    public const string CommunicationError = "communication_error";

    /// <summary>No decision in time (a push nobody answered, or the request timeout).</summary>
    public const string Timeout = "timeout";

    /// <summary>Too many failures: the identity is locked out for a while.</summary>
    public const string LockedOut = "locked_out";

    /// <summary>A one-time value (code, token, ticket) was presented a second time.</summary>
    public const string Replayed = "replayed";

    /// <summary>The plugin failed in a way the SDK does not classify (a bug in the plugin).</summary>
    public const string PluginError = "plugin_error";

    /// <summary>The request did not name a user.</summary>
    public const string NoUsername = "no_username";

    /// <summary>Too many concurrent sessions for this user and client.</summary>
    public const string ConnectionLimit = "connection_limit";

    /// <summary>The plugin does not support what was asked (for example push on an OTP-only service).</summary>
    public const string NotSupported = "not_supported";

    /// <summary>A question must be answered first (NEEDINFO).</summary>
    public const string NeedInfo = "need_info";
}
