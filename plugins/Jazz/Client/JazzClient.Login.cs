using System.Net;
using MfaHost.Plugins.Jazz.Logging;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Jazz.Client;

/// <summary>Recognising the server's challenge and logging in as it asks: form login, the Jazz Authorization Server, Basic.</summary>
public sealed partial class JazzClient
{
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
}
