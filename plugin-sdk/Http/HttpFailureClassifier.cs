using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;

namespace MfaHost.PluginSdk;

/// <summary>
/// The SDK's one rule for what a failed HTTP exchange means, so every plugin answers the same way:
/// <list type="table">
/// <listheader><term>what happened</term><description>failure</description></listheader>
/// <item><term>connection refused or reset, DNS failure, connect or read timeout, the connection closed
/// (or, over HTTP/2, the stream reset as failed, refused or cancelled) before an answer, the proxy refused the tunnel</term><description><see cref="MfaServiceUnreachable"/>
/// (DENY, or ACCEPT when the instance fails open)</description></item>
/// <item><term>the TLS handshake failed: a certificate that does not validate (untrusted, expired,
/// another host's name) or a peer that does not speak TLS</term><description><see cref="MfaCommunicationError"/>
/// (always DENY: someone in the path must not turn failing open into an ACCEPT)</description></item>
/// <item><term>an answer that is not HTTP (garbage, a different protocol), an HTTP protocol error</term>
/// <description><see cref="MfaCommunicationError"/></description></item>
/// </list>
/// An answer that is valid HTTP but not what the plugin expects (a wrong status, HTML instead of JSON)
/// is the plugin's to judge; by the same rule it throws <see cref="MfaCommunicationError"/>.
/// </summary>
/// <example>
/// <code>
/// try
/// {
///     using var response = await http.SendAsync(request, cancellationToken);
///     ...
/// }
/// catch (Exception e) when (HttpFailureClassifier.IsTransportFailure(e, cancellationToken))
/// {
///     throw HttpFailureClassifier.Classify(e, $"GET {uri}", timeout);
/// }
/// </code>
/// </example>
public static class HttpFailureClassifier
{
    /// <summary>
    /// Whether <paramref name="exception"/>, thrown while sending a request or reading its answer, is a
    /// failure of the exchange for <see cref="Classify"/> to judge. The caller's own cancellation is not:
    /// let it propagate.
    /// </summary>
    /// <param name="exception">What the HTTP client threw.</param>
    /// <param name="cancellationToken">The token the caller passed to the request.</param>
    public static bool IsTransportFailure(Exception exception, CancellationToken cancellationToken) =>
        exception switch
        {
            OperationCanceledException => !cancellationToken.IsCancellationRequested,
            HttpRequestException or IOException or AuthenticationException or SocketException => true,
            _ => false,
        };

    /// <summary>The SDK failure for a failed exchange, by the table above. The message never holds a request's content.</summary>
    /// <param name="exception">What the HTTP client threw (see <see cref="IsTransportFailure"/>).</param>
    /// <param name="request">The request for the operator, for example <c>"GET https://mfa.example/api/v1/push"</c>; never a secret.</param>
    /// <param name="timeout">The request timeout in force, named when no answer came in time.</param>
    public static MfaException Classify(Exception exception, string request, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(request);
        var error = exception switch
        {
            HttpRequestException http => http.HttpRequestError,
            HttpIOException io => io.HttpRequestError,
            _ => (HttpRequestError?)null,
        };

        if (exception is OperationCanceledException || exception.GetBaseException() is TimeoutException)
        {
            var seconds = timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture);
            return new MfaServiceUnreachable($"{request}: no answer within {seconds} s (request_timeout)", exception);
        }

        var detail = Innermost(exception);
        switch (error)
        {
            case HttpRequestError.NameResolutionError:
                return new MfaServiceUnreachable($"{request}: cannot resolve the host name ({detail})", exception);
            case HttpRequestError.ConnectionError:
                return new MfaServiceUnreachable($"{request}: cannot connect ({detail})", exception);
            case HttpRequestError.ResponseEnded:
                return new MfaServiceUnreachable($"{request}: the connection closed before the answer was complete ({detail})", exception);
            case HttpRequestError.ProxyTunnelError:
                return new MfaServiceUnreachable($"{request}: the HTTPS proxy refused the tunnel ({detail})", exception);
            case HttpRequestError.HttpProtocolError when IsStreamDropped(exception):
                return new MfaServiceUnreachable($"{request}: the service dropped the HTTP/2 stream before the answer was complete ({detail})", exception);
            case HttpRequestError.SecureConnectionError when !HasSocketError(exception):
                return new MfaCommunicationError($"{request}: TLS handshake failed, the peer's certificate or protocol is not acceptable ({detail}); check the certificate and the CA bundle (ca_file)", exception);
            case HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError or HttpRequestError.VersionNegotiationError or HttpRequestError.ConfigurationLimitExceeded:
                return new MfaCommunicationError($"{request}: the answer is not valid HTTP ({detail})", exception);
            case HttpRequestError.UserAuthenticationError:
                return new MfaCommunicationError($"{request}: the proxy or server refused the client's credentials ({detail})", exception);
        }

        if (exception.GetBaseException() is AuthenticationException)
        {
            return new MfaCommunicationError($"{request}: TLS handshake failed, the peer's certificate or protocol is not acceptable ({detail}); check the certificate and the CA bundle (ca_file)", exception);
        }

        return new MfaServiceUnreachable($"{request}: {detail}", exception);
    }

    // HTTP/2's "connection closed before the answer": the peer reset the stream because it failed,
    // refused or cancelled it (RFC 9113 INTERNAL_ERROR 0x2, REFUSED_STREAM 0x7, CANCEL 0x8). A reset for
    // a protocol violation (PROTOCOL_ERROR, FRAME_SIZE_ERROR, ...) stays a communication error.
    private static bool IsStreamDropped(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpProtocolException protocol)
            {
                return protocol.ErrorCode is 0x2 or 0x7 or 0x8;
            }
        }

        return false;
    }

    // A reset or closed connection during the handshake says nothing about the certificate.
    private static bool HasSocketError(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException)
            {
                return true;
            }
        }

        return false;
    }

    private static string Innermost(Exception exception) => exception.GetBaseException().Message;
}
