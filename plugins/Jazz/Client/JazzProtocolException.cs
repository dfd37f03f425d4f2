namespace MfaHost.Plugins.Jazz.Client;

/// <summary>
/// The server answered something a Jazz server does not: it served a protected resource without asking
/// for authentication, answered an unexpected status, redirected endlessly or to plain HTTP. Most
/// often the URL does not point at a Jazz application.
/// </summary>
public sealed class JazzProtocolException : JazzException
{
    /// <summary>Creates the failure.</summary>
    /// <param name="message">What was asked and what came back.</param>
    /// <param name="innerException">The cause, if any.</param>
    public JazzProtocolException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
