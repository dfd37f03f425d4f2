namespace MfaHost.Plugins.Jazz.Client;

/// <summary>The server could not be reached: connection refused, DNS failure, TLS handshake failure or timeout.</summary>
public sealed class JazzUnreachableException : JazzException
{
    /// <summary>Creates the failure.</summary>
    /// <param name="message">Which URL and why.</param>
    /// <param name="innerException">The network error.</param>
    public JazzUnreachableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
