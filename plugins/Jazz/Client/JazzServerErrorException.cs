using System.Net;

namespace MfaHost.Plugins.Jazz.Client;

/// <summary>The server answered with a 5xx status where the client needed an answer (during login, or on a probe).</summary>
public sealed class JazzServerErrorException : JazzException
{
    /// <summary>Creates the failure.</summary>
    /// <param name="statusCode">The status the server answered.</param>
    /// <param name="message">Which URL and what status.</param>
    public JazzServerErrorException(HttpStatusCode statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    /// <summary>The status the server answered.</summary>
    public HttpStatusCode StatusCode { get; }
}
