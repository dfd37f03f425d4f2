namespace MfaHost.PluginSdk;

/// <summary>
/// Base of the three failures a plugin may throw; <see cref="MfaClient"/> turns each into a verdict.
/// A message is written to logs: it never contains a secret.
/// </summary>
public abstract class MfaException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for the operator. Never a secret.</param>
    /// <param name="innerException">The cause, if any.</param>
    protected MfaException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
