namespace MfaHost.Protocol.Methods;

/// <summary>
/// No user enumeration: a DENY for an unknown user or a user who is not enrolled shows the user the message of a wrong
/// code (the SDK's plain "Authentication failed"), so that trying names at a login prompt tells nothing about which
/// exist. The <c>reason</c> stays precise for the gateway, and the plugin's own message stays in the log. Other DENY
/// messages (a missing password, a denied push) say nothing about whether the user exists and are passed on as they are.
/// </summary>
internal static class UniformDenial
{
    /// <summary>The message of a wrong code: <see cref="PluginSdk.MfaVerdict.Deny"/>'s default.</summary>
    public const string Message = "Authentication failed";

    /// <summary>The reason words whose message is replaced.</summary>
    public static readonly IReadOnlySet<string> Reasons = new HashSet<string>(StringComparer.Ordinal) { "unknown_user", "not_enrolled" };
}
