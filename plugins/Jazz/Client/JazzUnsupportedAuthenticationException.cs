namespace MfaHost.Plugins.Jazz.Client;

/// <summary>
/// The server asked for an authentication this client does not perform: Kerberos/SPNEGO
/// (<c>Negotiate</c>), an unknown scheme, or a 401 with no challenge at all.
/// </summary>
public sealed class JazzUnsupportedAuthenticationException : JazzException
{
    /// <summary>Creates the failure.</summary>
    /// <param name="challenge">What the server asked for (its <c>WWW-Authenticate</c> schemes), or a description when it named none.</param>
    /// <param name="message">The full explanation, naming <paramref name="challenge"/>.</param>
    public JazzUnsupportedAuthenticationException(string challenge, string message)
        : base(message)
    {
        Challenge = challenge;
    }

    /// <summary>What the server asked for, for example <c>Negotiate</c>.</summary>
    public string Challenge { get; }
}
