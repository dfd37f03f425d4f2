using System.Diagnostics.CodeAnalysis;

namespace MfaHost.PluginSdk;

/// <summary>
/// The service answered something the plugin does not understand (an unexpected status, a body
/// of the wrong shape, a rejected API token, an answer that is not HTTP) or presented a TLS certificate
/// that does not validate: DENY <c>communication_error</c>, whatever
/// <c>ignore_connection_error</c> says.
/// </summary>
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "Names fixed by the SDK specification.")]
public sealed class MfaCommunicationError : MfaException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What was received (URL, status), for the operator. Never a secret.</param>
    /// <param name="innerException">The cause, if any.</param>
    public MfaCommunicationError(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
