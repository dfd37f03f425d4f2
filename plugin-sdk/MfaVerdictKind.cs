namespace MfaHost.PluginSdk;

/// <summary>The three answers the host can give a gateway.</summary>
public enum MfaVerdictKind
{
    /// <summary>The user may log in.</summary>
    Accept,

    /// <summary>The user may not log in.</summary>
    Deny,

    /// <summary>The gateway must ask the user a question and call again with the answer.</summary>
    NeedInfo,
}
