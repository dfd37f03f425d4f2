namespace MfaHost.PluginSdk;

/// <summary>Why an administrative operation failed (see <see cref="MfaAdminException"/>).</summary>
public enum MfaAdminErrorKind
{
    /// <summary>The operation cannot be done in the current state (for example: the user is already enrolled). The command line exits 1.</summary>
    Refused = 0,

    /// <summary>An argument is missing, of the wrong type or has a bad value. The command line exits 2 (usage).</summary>
    InvalidArguments = 1,

    /// <summary>The instance offers no operation of that name. The command line exits 2 (usage).</summary>
    UnknownOperation = 2,
}
