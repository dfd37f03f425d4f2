using System.Net;
using System.Net.Http.Headers;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Jazz.Client;

/// <summary>Following redirects hop by hop (every hop a <c>GET</c>, Jazz origins only, no downgrade to HTTP), and the raw exchange under them.</summary>
public sealed partial class JazzClient
{
    private static Uri CheckRoot(Uri url, bool allowInsecure, string option)
    {
        ArgumentNullException.ThrowIfNull(url, option);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException($"The Jazz {option} '{url}' is not an absolute URL.", option);
        }

        if (url.Scheme == Uri.UriSchemeHttp)
        {
            if (!allowInsecure)
            {
                throw new ArgumentException(
                    $"The Jazz {option} '{url}' is plain http://: the password would be sent unencrypted. Use https://, or allow it explicitly (AllowInsecure / allow_insecure = yes).",
                    option);
            }
        }
        else if (url.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"The Jazz {option} '{url}' is not an https:// URL.", option);
        }

        if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            throw new ArgumentException($"The Jazz {option} '{url}' must be a context root without query or fragment.", option);
        }

        return new Uri(url.AbsoluteUri.TrimEnd('/'));
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    private static bool LocationEndsWith(HttpResponseMessage response, string suffix) =>
        IsRedirect(response.StatusCode) && response.Headers.Location is { } location &&
        (location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?', '#')[0])
            .TrimEnd('/').EndsWith(suffix, StringComparison.OrdinalIgnoreCase);

    private static string Schemes(HttpResponseMessage response) =>
        string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.Scheme).Distinct(StringComparer.OrdinalIgnoreCase));

    private static Uri AppendQuery(Uri uri, string parameter)
    {
        var text = uri.AbsoluteUri;
        var fragment = text.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            text = text[..fragment];
        }

        return new Uri(text + (text.Contains('?', StringComparison.Ordinal) ? "&" : "?") + parameter);
    }

    // Redirect targets may carry an authorization code in their query: messages show the path only.
    private static string WithoutQuery(Uri uri) => uri.GetLeftPart(UriPartial.Path);

    private void CheckFollowable(Uri uri)
    {
        if (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && _options.AllowInsecure))
        {
            return;
        }

        throw new JazzProtocolException($"refusing to send a request to '{WithoutQuery(uri)}': only https:// is allowed (allow_insecure is off)");
    }

    private bool IsJazzOrigin(Uri uri) =>
        Uri.Compare(uri, Url, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0 ||
        Uri.Compare(uri, AuthUrl, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>GETs <paramref name="uri"/> and follows redirects until an answer that is not a redirect, or a challenge.</summary>
    private async Task<(HttpResponseMessage Response, JazzChallenge? Challenge)> GetFollowingRedirectsAsync(Uri uri, CancellationToken cancellationToken)
    {
        var current = uri;
        for (var hop = 0; ; hop++)
        {
            var withBasic = _sendBasic && IsJazzOrigin(current);
            var response = await GetWithoutRedirectsAsync(current, withBasic ? _basic : null, cancellationToken);
            JazzChallenge? challenge;
            try
            {
                challenge = DetectChallenge(current, response, withBasic);
            }
            catch
            {
                response.Dispose();
                throw;
            }

            if (challenge is not null || !IsRedirect(response.StatusCode) || response.Headers.Location is null)
            {
                return (response, challenge);
            }

            var next = new Uri(current, response.Headers.Location);
            response.Dispose();
            if (hop >= _options.MaxRedirects)
            {
                throw new JazzProtocolException($"GET {uri}: more than {_options.MaxRedirects} redirects (last to {WithoutQuery(next)})");
            }

            CheckFollowable(next);
            current = next;
        }
    }

    private async Task<HttpResponseMessage> GetWithoutRedirectsAsync(Uri uri, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, uri);
        message.Headers.Authorization = authorization;
        return await TransmitAsync(message, cancellationToken);
    }

    // After a JAS answer that redirects back to the application: follow the chain with GET (no
    // credentials) so the application can exchange the authorization and set its session cookie.
    // The answers are not interpreted: the retried original request decides.
    private async Task FollowRedirectsAsync(Uri from, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var current = from;
        var location = IsRedirect(response.StatusCode) ? response.Headers.Location : null;
        for (var hop = 0; location is not null && hop < _options.MaxRedirects; hop++)
        {
            current = new Uri(current, location);
            CheckFollowable(current);
            using var next = await GetWithoutRedirectsAsync(current, null, cancellationToken);
            location = IsRedirect(next.StatusCode) ? next.Headers.Location : null;
        }
    }

    private async Task<HttpResponseMessage> TransmitAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        var uri = message.RequestUri!;
        try
        {
            return await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (Exception e) when (HttpFailureClassifier.IsTransportFailure(e, cancellationToken))
        {
            throw HttpFailureClassifier.Classify(e, $"{message.Method} {WithoutQuery(uri)}", _http.Timeout);
        }
    }
}
