namespace MfaHost.Plugins.Jazz.Client;

/// <summary>
/// The server rejected the credentials: form login answered <c>authfailed</c>, a 401 came back after
/// the credentials were sent, or the server challenged again right after a successful login.
/// </summary>
public sealed class JazzAuthenticationFailedException : JazzException
{
    /// <summary>Creates the failure.</summary>
    /// <param name="message">What the server answered. Never a secret.</param>
    /// <param name="innerException">The cause, if any.</param>
    public JazzAuthenticationFailedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
