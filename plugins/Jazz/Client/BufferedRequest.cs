using System.Net.Http.Headers;

namespace MfaHost.Plugins.Jazz.Client;

/// <summary>
/// A request held as plain data, so it can be sent again: after a login, and to follow a redirect.
/// The body is buffered once; each send builds a fresh <see cref="HttpRequestMessage"/>.
/// </summary>
internal sealed record BufferedRequest(
    HttpMethod Method,
    Uri Uri,
    byte[]? Body,
    IReadOnlyList<KeyValuePair<string, IEnumerable<string>>> Headers,
    IReadOnlyList<KeyValuePair<string, IEnumerable<string>>> ContentHeaders)
{
    private static readonly HashSet<HttpMethod> SafeMethods = [HttpMethod.Get, HttpMethod.Head, HttpMethod.Options];

    /// <summary>True for GET, HEAD and OPTIONS, which may be repeated freely.</summary>
    public bool IsSafe => SafeMethods.Contains(Method);

    public static BufferedRequest Get(Uri uri) => new(HttpMethod.Get, uri, null, [], []);

    public static async Task<BufferedRequest> FromAsync(HttpRequestMessage request, Uri uri, CancellationToken cancellationToken)
    {
        byte[]? body = null;
        IReadOnlyList<KeyValuePair<string, IEnumerable<string>>> contentHeaders = [];
        if (request.Content is not null)
        {
            body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
            contentHeaders = [.. request.Content.Headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, [.. h.Value]))];
        }

        var headers = request.Headers
            .Where(h => !string.Equals(h.Key, "Host", StringComparison.OrdinalIgnoreCase))
            .Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, [.. h.Value]))
            .ToList();
        return new BufferedRequest(request.Method, uri, body, headers, contentHeaders);
    }

    /// <summary>A fresh message for one send.</summary>
    public HttpRequestMessage ToMessage(AuthenticationHeaderValue? authorization)
    {
        var message = new HttpRequestMessage(Method, Uri);
        foreach (var header in Headers)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (authorization is not null)
        {
            message.Headers.Authorization = authorization;
        }

        if (Body is not null)
        {
            var content = new ByteArrayContent(Body);
            foreach (var header in ContentHeaders)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            message.Content = content;
        }

        return message;
    }
}
