using System.Diagnostics.CodeAnalysis;

namespace MfaHost.PluginSdk;

/// <summary>
/// The service could not be reached: connection refused, DNS failure,
/// no answer in time (see <see cref="HttpFailureClassifier"/>). DENY <c>service_unreachable</c>, or ACCEPT
/// <c>accepted_service_unreachable</c> when the instance fails open.
/// </summary>
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "Names fixed by the SDK specification.")]
public sealed class MfaServiceUnreachable : MfaException
{
    /// <summary>Creates the failure.</summary>
    /// <param name="message">Which service and why, for the operator.</param>
    /// <param name="innerException">The cause, if any.</param>
    public MfaServiceUnreachable(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
