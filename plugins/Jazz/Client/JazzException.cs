namespace MfaHost.Plugins.Jazz.Client;

/// <summary>
/// Base of the failures <see cref="JazzClient"/> reports. Each subclass is one outcome a caller maps
/// on its own (bad credentials, unsupported authentication, unreachable server, server error, an
/// answer that is not Jazz). Messages name the server's URL and what it answered; never a secret.
/// </summary>
public abstract class JazzException : Exception
{
    /// <summary>Creates the failure.</summary>
    /// <param name="message">What happened, for the operator. Never a secret.</param>
    /// <param name="innerException">The cause, if any.</param>
    protected JazzException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
