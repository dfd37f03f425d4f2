namespace MfaHost.Protocol.Methods;

/// <summary>
/// No user enumeration: a DENY for an unknown user, a user who is not enrolled and a wrong code all show the user the
/// same message, so that trying names at a login prompt tells nothing about which exist. The <c>reason</c> word stays
/// precise for the gateway, and the plugin's own message stays in the log.
/// </summary>
internal static class UniformDenial
{
    public const string Message = "Authentication failed";

    /// <summary>The reason words whose message is replaced: <c>authentication_failed</c> and the plugins' <c>unknown_user</c> and <c>not_enrolled</c>.</summary>
    public static readonly IReadOnlySet<string> Reasons = new HashSet<string>(StringComparer.Ordinal)
    {
        PluginSdk.MfaReasons.AuthenticationFailed,
        "unknown_user",
        "not_enrolled",
    };
}
