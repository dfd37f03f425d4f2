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
public sealed partial class JazzClient : IDisposable
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
}
