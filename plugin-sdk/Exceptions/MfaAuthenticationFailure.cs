using System.Diagnostics.CodeAnalysis;

namespace MfaHost.PluginSdk;

/// <summary>The service rejected the user (wrong code, push denied, unknown user): DENY <c>authentication_failed</c>.</summary>
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "Names fixed by the SDK specification.")]
public sealed class MfaAuthenticationFailure : MfaException
{
    /// <summary>Creates the failure.</summary>
    /// <param name="message">Why, for the operator's debug log.</param>
    /// <param name="innerException">The cause, if any.</param>
    public MfaAuthenticationFailure(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
