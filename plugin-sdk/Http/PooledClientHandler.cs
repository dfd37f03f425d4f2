using System.Net;

namespace MfaHost.PluginSdk;

/// <summary>
/// What one client from <see cref="PluginHttpClientFactory"/> sends through: the factory's shared
/// <see cref="SocketsHttpHandler"/> (the bounded connection pool), plus what must stay per client.
/// Disposing it leaves the shared pool alone: the factory owns that.
/// </summary>
/// <remarks>
/// Cookies are kept here rather than in the shared handler, whose cookie container would be one for
/// all clients (<see cref="SocketsHttpHandler"/> offers no per-request container). Without automatic
/// redirects (as the built-in plugins use it) every response passes here, so every cookie is seen;
/// a client that wants both cookies and automatic redirects gets a handler of its own instead.
/// </remarks>
internal sealed class PooledClientHandler(HttpMessageHandler shared, CookieContainer? cookies, bool offerHttp2) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _shared = new(shared, disposeHandler: false);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // HTTP/2 where the service offers it (ALPN over TLS); cleartext and older services stay on HTTP/1.1.
        if (offerHttp2 && request.Version == HttpVersion.Version11 && request.VersionPolicy == HttpVersionPolicy.RequestVersionOrLower)
        {
            request.Version = HttpVersion.Version20;
        }

        if (cookies is not null && request.RequestUri is { } uri)
        {
            var header = cookies.GetCookieHeader(uri);
            if (header.Length > 0)
            {
                request.Headers.Remove("Cookie");
                request.Headers.TryAddWithoutValidation("Cookie", header);
            }
        }

        var response = await _shared.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (cookies is not null && request.RequestUri is { } target && response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var value in setCookies)
            {
                try
                {
                    cookies.SetCookies(target, value);
                }
                catch (CookieException)
                {
                    // A malformed cookie is dropped, as SocketsHttpHandler drops it.
                }
            }
        }

        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _shared.Dispose();
        }

        base.Dispose(disposing);
    }
}
