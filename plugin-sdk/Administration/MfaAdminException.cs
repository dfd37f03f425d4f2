namespace MfaHost.PluginSdk;

/// <summary>
/// Thrown by <see cref="MfaClient.AdminAsync"/> when an administrative operation cannot be done: the message is
/// shown to the operator as it is, so it says what is wrong and what to do, and never contains a secret.
/// </summary>
public sealed class MfaAdminException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">Whether the arguments were wrong or the operation was refused.</param>
    /// <param name="message">What is wrong, for the operator.</param>
    public MfaAdminException(MfaAdminErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>Creates an exception for a refused operation.</summary>
    public MfaAdminException()
        : this(MfaAdminErrorKind.Refused, "The administrative operation was refused")
    {
    }

    /// <summary>Creates an exception for a refused operation.</summary>
    /// <param name="message">What is wrong, for the operator.</param>
    public MfaAdminException(string message)
        : this(MfaAdminErrorKind.Refused, message)
    {
    }

    /// <summary>Creates an exception for a refused operation.</summary>
    /// <param name="message">What is wrong, for the operator.</param>
    /// <param name="innerException">The cause (logged by the host, not shown).</param>
    public MfaAdminException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = MfaAdminErrorKind.Refused;
    }

    /// <summary>Whether the arguments were wrong or the operation was refused.</summary>
    public MfaAdminErrorKind Kind { get; }
}
