using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MfaHost.Plugins.Jazz.Logging;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MfaHost.Plugins.Jazz.Client;

/// <summary>
/// An HTTP client for an IBM Jazz (ELM) application that authenticates the way a native Jazz client
/// does: it sends a request, recognises the server's challenge (form login, the Jazz Authorization
/// Server, or Basic), logs in, and asks again, once: a challenge right after a successful login is an
/// authentication failure, never a loop. A client serves one verification (the plugin creates one per
/// request, so no session of one user serves another).
/// </summary>
/// <remarks>
/// <para>
/// Redirects are followed by the client itself (the <see cref="HttpClient"/> must not follow them) so
/// that it sees the authentication headers on each hop; every hop is a <c>GET</c>. A redirect to plain
/// HTTP is refused unless <see cref="JazzClientOptions.AllowInsecure"/>.
/// </para>
/// <para>
/// Failures are typed: <see cref="JazzAuthenticationFailedException"/> (bad credentials),
/// <see cref="JazzUnsupportedAuthenticationException"/> (Kerberos, unknown scheme, no challenge),
/// <see cref="JazzServerErrorException"/> (5xx during login or the probe) and
/// <see cref="JazzProtocolException"/> (an answer a Jazz server does not give); a failed exchange
/// (refused, DNS, timeout, a certificate that does not validate, an answer that is not HTTP) is the
/// SDK's <see cref="MfaServiceUnreachable"/> or <see cref="MfaCommunicationError"/> by its
/// <see cref="HttpFailureClassifier"/>, as for every plugin. Cancellation through
/// the caller's token propagates as <see cref="OperationCanceledException"/>.
/// </para>
/// </remarks>
public sealed class JazzClient : IDisposable
{
    private const string WebAuthMessageHeader = "X-com-ibm-team-repository-web-auth-msg";
    private const string JsaRedirectHeader = "X-JSA-AUTHORIZATION-REDIRECT";
    private const string JsaUrlHeader = "X-JSA-AUTHORIZATION-URL";
    private const string JsaLoginRequiredHeader = "X-JSA-LOGIN-REQUIRED";

    private readonly HttpClient _http;
    private readonly bool _disposeHttpClient;
    private readonly JazzClientOptions _options;
    private readonly ILogger _logger;
    private readonly AuthenticationHeaderValue _basic;
    private bool _sendBasic;
    private JazzAuthenticationMethod _method;

    /// <summary>Creates a client over <paramref name="httpClient"/>.</summary>
    /// <param name="httpClient">
    /// The transport. It must not follow redirects (<c>AllowAutoRedirect = false</c>) and should keep
    /// cookies (a <see cref="CookieContainer"/>), or sessions cannot be kept.
    /// </param>
    /// <param name="options">Where and as whom.</param>
    /// <param name="logger">Where debug lines go; never receives a secret.</param>
    /// <param name="disposeHttpClient">Whether <see cref="Dispose"/> disposes <paramref name="httpClient"/>.</param>
    /// <exception cref="ArgumentException">A URL is not absolute HTTPS (or HTTP with <see cref="JazzClientOptions.AllowInsecure"/>), or the user or password is empty.</exception>
    public JazzClient(HttpClient httpClient, JazzClientOptions options, ILogger? logger = null, bool disposeHttpClient = false)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Username, nameof(options));
        if (string.IsNullOrEmpty(options.Password))
        {
            throw new ArgumentException("The password is empty.", nameof(options));
        }

        if (options.MaxRedirects < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRedirects, "MaxRedirects must not be negative.");
        }

        Url = CheckRoot(options.Url, options.AllowInsecure, nameof(JazzClientOptions.Url));
        AuthUrl = options.AuthUrl is null ? Url : CheckRoot(options.AuthUrl, options.AllowInsecure, nameof(JazzClientOptions.AuthUrl));
        _http = httpClient;
        _disposeHttpClient = disposeHttpClient;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(options.Username + ":" + options.Password)));
    }

    /// <summary>The application's context root (without a trailing slash).</summary>
    public Uri Url { get; }

    /// <summary>The context root logins go to (without a trailing slash).</summary>
    public Uri AuthUrl { get; }

    /// <summary>How the server authenticated this client last; <see cref="JazzAuthenticationMethod.None"/> before the first login.</summary>
    public JazzAuthenticationMethod AuthenticationMethod => _method;

    /// <summary>
    /// Creates a client whose transport comes from a plugin's <see cref="IPluginHttpClientFactory"/>: no automatic
    /// redirects, its own cookie container, <see cref="JazzClientOptions.CaFile"/> and
    /// <see cref="JazzClientOptions.RequestTimeout"/>, and the instance's <c>[tls]</c>/<c>[https_proxy]</c>.
    /// </summary>
    /// <param name="factory">The plugin's HTTP client factory.</param>
    /// <param name="options">Where and as whom.</param>
    /// <param name="logger">Where debug lines go.</param>
    /// <exception cref="ArgumentException">As for the constructor.</exception>
    public static JazzClient Create(IPluginHttpClientFactory factory, JazzClientOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);

        // Validate before building the transport, so a bad URL leaks no handler.
        CheckRoot(options.Url, options.AllowInsecure, nameof(JazzClientOptions.Url));
        if (options.AuthUrl is not null)
        {
            CheckRoot(options.AuthUrl, options.AllowInsecure, nameof(JazzClientOptions.AuthUrl));
        }

        var http = factory.CreateClient(new PluginHttpOptions
        {
            CaFile = options.CaFile,
            Timeout = options.RequestTimeout,
            AllowAutoRedirect = false,
            Cookies = new CookieContainer(),
        });
        try
        {
            return new JazzClient(http, options, logger, disposeHttpClient: true);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    // A path below the context root: /process/project-areas becomes https://host:9443/ccm/process/project-areas.
    private Uri Resolve(string path) => new(Url.AbsoluteUri + (path.StartsWith('/') ? path : "/" + path));

    // GETs uri, logging in when the server challenges and asking once more after the login. Any answer
    // that is not a challenge is returned as it is, including 4xx and 5xx.
    private async Task<HttpResponseMessage> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        CheckFollowable(uri);
        var loggedIn = false;
        while (true)
        {
            var (response, challenge) = await GetFollowingRedirectsAsync(uri, cancellationToken);
            if (challenge is null)
            {
                return response;
            }

            var status = (int)response.StatusCode;
            response.Dispose();
            if (loggedIn)
            {
                throw new JazzAuthenticationFailedException(
                    $"GET {uri} met another challenge ({challenge.Description}, status {status}) right after a login; the server does not accept this user's credentials or session");
            }

            var method = await LogInAsync(challenge, cancellationToken);
            loggedIn = true;
            JazzLog.Retrying(_logger, Url, method, "GET", uri);
        }
    }

    /// <summary>
    /// Verifies the credentials: GETs <paramref name="probePath"/> (a protected resource) and requires it
    /// to be served after a login. Returns how the server authenticated the client.
    /// </summary>
    /// <param name="probePath">A protected resource below the context root, for example <c>/process/project-areas</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="JazzException">The credentials were rejected, or the server is not a Jazz server we can log in to; see the subclasses.</exception>
    public async Task<JazzAuthenticationMethod> VerifyCredentialsAsync(string probePath, CancellationToken cancellationToken)
    {
        var uri = Resolve(probePath);
        using var response = await GetAsync(uri, cancellationToken);
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            throw new JazzServerErrorException(response.StatusCode, $"GET {uri} answered {status} {response.ReasonPhrase}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new JazzProtocolException($"GET {uri} answered {status} {response.ReasonPhrase}: not a Jazz server, or probe_path is wrong");
        }

        if (_method == JazzAuthenticationMethod.None)
        {
            throw new JazzProtocolException($"GET {uri} was served without any authentication: not a Jazz server, or probe_path is not a protected resource");
        }

        return _method;
    }

    /// <summary>Releases the transport when this client owns it.</summary>
    public void Dispose()
    {
        if (_disposeHttpClient)
        {
            _http.Dispose();
        }

    }

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

    /// <summary>Recognises a challenge; throws for bad credentials and for authentication we do not perform.</summary>
    private static JazzChallenge? DetectChallenge(Uri uri, HttpResponseMessage response, bool sentBasic)
    {
        var webAuth = HeaderValue(response, WebAuthMessageHeader);
        if (string.Equals(webAuth, "authfailed", StringComparison.OrdinalIgnoreCase) || LocationEndsWith(response, "/auth/authfailed"))
        {
            throw new JazzAuthenticationFailedException($"GET {uri}: the server answered authfailed");
        }

        if (string.Equals(webAuth, "authrequired", StringComparison.OrdinalIgnoreCase) || LocationEndsWith(response, "/auth/authrequired"))
        {
            return new JazzChallenge(JazzAuthenticationMethod.Form, "form login (authrequired)");
        }

        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return null;
        }

        var jsa = HeaderValue(response, JsaRedirectHeader) ?? HeaderValue(response, JsaUrlHeader);
        if (!string.IsNullOrEmpty(jsa))
        {
            if (!Uri.TryCreate(uri, jsa, out var redirect))
            {
                throw new JazzProtocolException($"GET {uri}: {JsaRedirectHeader} '{jsa}' is not a URL");
            }

            return new JazzChallenge(JazzAuthenticationMethod.Jas, "Jazz Authorization Server", redirect);
        }

        var challenges = response.Headers.WwwAuthenticate;
        if (challenges.Count == 0)
        {
            throw new JazzUnsupportedAuthenticationException(
                "no challenge",
                $"GET {uri} answered 401 without WWW-Authenticate: no authentication this client knows (not a Jazz server?)");
        }

        if (challenges.All(c => string.Equals(c.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)))
        {
            if (sentBasic)
            {
                throw new JazzAuthenticationFailedException($"GET {uri}: 401 to Basic credentials");
            }

            return new JazzChallenge(JazzAuthenticationMethod.Basic, "Basic");
        }

        var schemes = Schemes(response);
        if (challenges.Any(c => string.Equals(c.Scheme, "Negotiate", StringComparison.OrdinalIgnoreCase)))
        {
            throw new JazzUnsupportedAuthenticationException(
                schemes,
                $"GET {uri} asks for Kerberos/SPNEGO (WWW-Authenticate: {schemes}), which this client does not support");
        }

        throw new JazzUnsupportedAuthenticationException(
            schemes,
            $"GET {uri} asks for an authentication scheme this client does not support (WWW-Authenticate: {schemes})");
    }

    /// <summary>Logs in as <paramref name="challenge"/> asks.</summary>
    private async Task<JazzAuthenticationMethod> LogInAsync(JazzChallenge challenge, CancellationToken cancellationToken)
    {
        switch (challenge.Method)
        {
            case JazzAuthenticationMethod.Form:
                await FormLoginAsync(cancellationToken);
                break;
            case JazzAuthenticationMethod.Jas:
                await JasLoginAsync(challenge.AuthorizationRedirect!, cancellationToken);
                break;
            default:
                JazzLog.BasicSelected(_logger, Url, _options.Username);
                _sendBasic = true;
                break;
        }

        _method = challenge.Method;
        return challenge.Method;
    }

    private async Task FormLoginAsync(CancellationToken cancellationToken)
    {
        var loginUri = new Uri(AuthUrl.AbsoluteUri + "/j_security_check");
        JazzLog.FormLogin(_logger, Url, loginUri, _options.Username);
        using var message = new HttpRequestMessage(HttpMethod.Post, loginUri)
        {
            Content = new FormUrlEncodedContent(
            [
                new KeyValuePair<string, string>("j_username", _options.Username),
                new KeyValuePair<string, string>("j_password", _options.Password),
            ]),
        };
        using var response = await TransmitAsync(message, cancellationToken);
        var status = (int)response.StatusCode;
        var webAuth = HeaderValue(response, WebAuthMessageHeader);
        if (string.Equals(webAuth, "authfailed", StringComparison.OrdinalIgnoreCase) || LocationEndsWith(response, "/auth/authfailed"))
        {
            throw new JazzAuthenticationFailedException($"form login at {loginUri} failed: the server answered authfailed");
        }

        if (string.Equals(webAuth, "authrequired", StringComparison.OrdinalIgnoreCase) || LocationEndsWith(response, "/auth/authrequired"))
        {
            throw new JazzAuthenticationFailedException($"form login at {loginUri} failed: the server asked for a login again");
        }

        if (status >= 500)
        {
            throw new JazzServerErrorException(response.StatusCode, $"form login at {loginUri} answered {status} {response.ReasonPhrase}");
        }

        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new JazzAuthenticationFailedException($"form login at {loginUri} answered {status}");
        }

        if (status is < 200 or >= 400)
        {
            throw new JazzProtocolException($"form login at {loginUri} answered {status} {response.ReasonPhrase}: not a Jazz login (wrong auth_url?)");
        }
    }

    private async Task JasLoginAsync(Uri redirect, CancellationToken cancellationToken)
    {
        CheckFollowable(redirect);
        JazzLog.JasChallenge(_logger, Url, redirect);

        // a. Is a valid authentication at the authorization server in place already?
        var probe = AppendQuery(redirect, "prompt=none");
        using (var response = await GetWithoutRedirectsAsync(probe, null, cancellationToken))
        {
            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                throw new JazzServerErrorException(response.StatusCode, $"JAS authorization {probe} answered {status} {response.ReasonPhrase}");
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                JazzLog.JasAlreadyAuthenticated(_logger, Url, status);
                await FollowRedirectsAsync(probe, response, cancellationToken);
                return;
            }

            // 200: with X-JSA-LOGIN-REQUIRED: true (or without it, which no JAS we know sends), a login is needed.
        }

        // b. The login page, without the prompt parameter: a 401 here is Kerberos/SPNEGO or another method.
        using (var response = await GetWithoutRedirectsAsync(redirect, null, cancellationToken))
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                var schemes = Schemes(response);
                var named = schemes.Length == 0 ? "no challenge" : schemes;
                throw new JazzUnsupportedAuthenticationException(
                    named,
                    $"JAS authorization {redirect} asks for an authentication this client does not support (WWW-Authenticate: {named}; Kerberos/SPNEGO?)");
            }

            if (status >= 500)
            {
                throw new JazzServerErrorException(response.StatusCode, $"JAS authorization {redirect} answered {status} {response.ReasonPhrase}");
            }

            if (IsRedirect(response.StatusCode))
            {
                JazzLog.JasAlreadyAuthenticated(_logger, Url, status);
                await FollowRedirectsAsync(redirect, response, cancellationToken);
                return;
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new JazzProtocolException($"JAS authorization {redirect} answered {status} {response.ReasonPhrase} instead of a login page");
            }
        }

        // c. The same URL with Basic, this one time only; success redirects back and sets the JAS cookies.
        JazzLog.JasLogin(_logger, Url, _options.Username);
        using (var response = await GetWithoutRedirectsAsync(redirect, _basic, cancellationToken))
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new JazzAuthenticationFailedException($"JAS login at {redirect} answered {status}: credentials rejected");
            }

            if (status >= 500)
            {
                throw new JazzServerErrorException(response.StatusCode, $"JAS login at {redirect} answered {status} {response.ReasonPhrase}");
            }

            if (status is < 200 or >= 400)
            {
                throw new JazzProtocolException($"JAS login at {redirect} answered {status} {response.ReasonPhrase}");
            }

            await FollowRedirectsAsync(redirect, response, cancellationToken);
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
