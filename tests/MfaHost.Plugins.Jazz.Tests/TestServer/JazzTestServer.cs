using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MfaHost.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace MfaHost.Plugins.Jazz.Tests.TestServer;

/// <summary>
/// A small but real Jazz server on loopback (Kestrel, HTTPS with the test CA) that speaks the native
/// client authentication dance: form login (<c>j_security_check</c>, <c>authrequired</c>/<c>authfailed</c>,
/// <c>JSESSIONID</c>/<c>LtpaToken2</c>), the Jazz Authorization Server (401 with Basic and Bearer realm
/// JSA, <c>X-JSA-AUTHORIZATION-REDIRECT</c>, the <c>prompt=none</c> probe, Basic on the authorization
/// URL setting the JAS cookie), Basic only, and the unsupported cases. Two context roots: <c>/ccm</c>
/// (the application) and <c>/jts</c> (where JAS lives; form login works on both).
/// </summary>
/// <remarks>
/// Protected resources: <c>GET /ccm/process/project-areas</c> and <c>GET /ccm/authenticated/identity</c>.
/// </remarks>
public sealed class JazzTestServer : IAsyncDisposable
{
    public const string ProbePath = "/process/project-areas";

    private const string WebAuthHeader = "X-com-ibm-team-repository-web-auth-msg";
    private const string AuthorizePath = "/jts/oidc/endpoint/jazzop/authorize";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _appSessions = new();
    private readonly ConcurrentDictionary<string, string> _jasSessions = new();
    private readonly ConcurrentDictionary<string, string> _codes = new();
    private readonly ConcurrentQueue<LoggedRequest> _requests = new();
    private int _logins;

    private JazzTestServer(WebApplication app, JazzServerMode mode)
    {
        _app = app;
        Mode = mode;
    }

    /// <summary>What the server asks for; may be changed while it runs.</summary>
    public JazzServerMode Mode { get; set; }

    /// <summary>The status of the redirects during a login (302, 303 or 307): clients follow them alike.</summary>
    public int LoginRedirectStatus { get; set; } = 302;

    /// <summary>Users and their passwords.</summary>
    public ConcurrentDictionary<string, string> Users { get; } = new(StringComparer.Ordinal) { ["alice"] = "Correct-Horse-42" };

    /// <summary>Scheme, address and port, for example <c>https://127.0.0.1:41234</c>.</summary>
    public Uri Origin { get; private set; } = null!;

    /// <summary>The application's context root, <c>/ccm</c>.</summary>
    public Uri Url => new(Origin, "/ccm");

    /// <summary>The JTS context root, <c>/jts</c>.</summary>
    public Uri JtsUrl => new(Origin, "/jts");

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<LoggedRequest> Requests => [.. _requests];

    /// <summary>How many logins succeeded (form, JAS with Basic).</summary>
    public int SuccessfulLogins => Volatile.Read(ref _logins);

    /// <summary>Starts a server in <paramref name="mode"/> on 127.0.0.1, port chosen by the system.</summary>
    /// <param name="ca">Issues the server's certificate.</param>
    /// <param name="mode">What the server asks for.</param>
    /// <param name="plainHttp">Listen without TLS (to test <c>allow_insecure</c>).</param>
    public static Task<JazzTestServer> StartAsync(TestCertificateAuthority ca, JazzServerMode mode, bool plainHttp = false) =>
        StartAsync(plainHttp ? null : ca.IssueServerCertificate("localhost"), mode);

    /// <summary>Starts a server in <paramref name="mode"/> with <paramref name="certificate"/> (null: plain HTTP).</summary>
    /// <param name="certificate">The server certificate (for localhost and 127.0.0.1), or null for plain HTTP.</param>
    /// <param name="mode">What the server asks for.</param>
    public static async Task<JazzTestServer> StartAsync(X509Certificate2? certificate, JazzServerMode mode)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        var server = new JazzTestServer(app, mode);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Origin = new Uri(address);
        return server;
    }

    /// <summary>Voids every session, the application's and the authorization server's (the server's session timeout).</summary>
    public void ExpireAllSessions()
    {
        _appSessions.Clear();
        _jasSessions.Clear();
        _codes.Clear();
    }

    /// <summary>Requests to <paramref name="path"/> (exact path, any method).</summary>
    public int CountRequests(string path) => Requests.Count(r => r.Path == path);

    public void ClearRequestLog() => _requests.Clear();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context);
        }
        finally
        {
            _requests.Enqueue(new LoggedRequest(
                context.Request.Method,
                context.Request.Path.Value ?? string.Empty,
                context.Request.QueryString.Value ?? string.Empty,
                context.Request.Headers.Authorization.Count > 0,
                context.Response.StatusCode));
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (Mode == JazzServerMode.NotJazz)
        {
            await WriteAsync(context, 200, "text/html", "<html><body>It works!</body></html>");
            return;
        }

        switch (path)
        {
            case "/ccm/j_security_check" or "/jts/j_security_check" when HttpMethods.IsPost(context.Request.Method):
                await FormLoginAsync(context);
                return;
            case "/ccm/auth/authrequired" or "/jts/auth/authrequired":
                context.Response.Headers[WebAuthHeader] = "authrequired";
                await WriteAsync(context, 200, "text/html", LoginPage);
                return;
            case "/ccm/auth/authfailed" or "/jts/auth/authfailed":
                context.Response.Headers[WebAuthHeader] = "authfailed";
                await WriteAsync(context, 200, "text/html", "<html><body>Login failed</body></html>");
                return;
            case AuthorizePath:
                await AuthorizeAsync(context);
                return;
            case "/ccm/auth/callback":
                Callback(context);
                return;
            case "/ccm/process/project-areas" or "/ccm/authenticated/identity":
                await ProtectedAsync(context, path);
                return;
            default:
                context.Response.StatusCode = 404;
                return;
        }
    }

    private async Task ProtectedAsync(HttpContext context, string path)
    {
        if (Mode == JazzServerMode.ServerError)
        {
            await WriteAsync(context, 500, "text/plain", "CRJAZ0000E internal error");
            return;
        }

        var user = AuthenticatedUser(context);
        if (user is null || Mode == JazzServerMode.AlwaysChallenge)
        {
            await ChallengeAsync(context);
            return;
        }

        switch (path)
        {
            case "/ccm/authenticated/identity":
                await WriteAsync(context, 200, "application/json", $"{{\"userId\":\"{user}\"}}");
                return;
            default:
                await WriteAsync(context, 200, "application/xml", "<jp06:project-areas xmlns:jp06=\"http://jazz.net/xmlns/prod/jazz/process/0.6/\"/>");
                return;
        }
    }

    private string? AuthenticatedUser(HttpContext context)
    {
        switch (Mode)
        {
            case JazzServerMode.Basic:
                return BasicUser(context);
            case JazzServerMode.Form or JazzServerMode.FormChallengeOn200 or JazzServerMode.AlwaysChallenge:
                return context.Request.Cookies.TryGetValue("LtpaToken2", out var ltpa) && _appSessions.TryGetValue(ltpa, out var formUser) ? formUser : null;
            case JazzServerMode.Jas or JazzServerMode.JasKerberos:
                return context.Request.Cookies.TryGetValue("JSESSIONID", out var session) && _appSessions.TryGetValue(session, out var jasUser) ? jasUser : null;
            default:
                return null;
        }
    }

    private async Task ChallengeAsync(HttpContext context)
    {
        var response = context.Response;
        switch (Mode)
        {
            case JazzServerMode.Form or JazzServerMode.AlwaysChallenge:
                response.Headers[WebAuthHeader] = "authrequired";
                Redirect(context, "/ccm/auth/authrequired");
                return;
            case JazzServerMode.FormChallengeOn200:
                response.Headers[WebAuthHeader] = "authrequired";
                await WriteAsync(context, 200, "text/html", LoginPage);
                return;
            case JazzServerMode.Jas or JazzServerMode.JasKerberos:
                {
                    var redirect = $"{Origin.AbsoluteUri.TrimEnd('/')}{AuthorizePath}?client_id=ccm&response_type=code&state={NewToken()}";
                    response.Headers.WWWAuthenticate = new StringValues(["Basic realm=\"JSA\"", "Bearer realm=\"JSA\""]);
                    response.Headers["X-JSA-AUTHORIZATION-REDIRECT"] = redirect;
                    response.Headers["X-JSA-AUTHORIZATION-URL"] = $"{Origin.AbsoluteUri.TrimEnd('/')}{AuthorizePath}";
                    response.StatusCode = 401;
                    return;
                }

            case JazzServerMode.Basic:
                response.Headers.WWWAuthenticate = "Basic realm=\"Jazz\"";
                response.StatusCode = 401;
                return;
            case JazzServerMode.Kerberos:
                response.Headers.WWWAuthenticate = "Negotiate";
                response.StatusCode = 401;
                return;
            case JazzServerMode.UnknownScheme:
                response.Headers.WWWAuthenticate = "Digest realm=\"jazz\", nonce=\"8f2a\", qop=\"auth\"";
                response.StatusCode = 401;
                return;
            default:
                response.StatusCode = 401;
                return;
        }
    }

    private async Task FormLoginAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var user = form["j_username"].ToString();
        var password = form["j_password"].ToString();
        if (Users.TryGetValue(user, out var expected) && expected == password)
        {
            var token = NewToken();
            _appSessions[token] = user;
            Interlocked.Increment(ref _logins);
            var cookie = new CookieOptions { Path = "/", Secure = context.Request.IsHttps, HttpOnly = true };
            context.Response.Cookies.Append("JSESSIONID", NewToken(), cookie);
            context.Response.Cookies.Append("LtpaToken2", token, cookie);
            context.Response.Cookies.Append("JazzFormAuth", "Form", cookie);
            Redirect(context, "/ccm/authenticated/identity");
            return;
        }

        context.Response.Headers[WebAuthHeader] = "authfailed";
        Redirect(context, "/ccm/auth/authfailed");
    }

    private async Task AuthorizeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Cookies.TryGetValue("JazzOpSSO", out var sso) && _jasSessions.TryGetValue(sso, out var ssoUser))
        {
            RedirectWithCode(context, ssoUser);
            return;
        }

        if (request.Query["prompt"] == "none")
        {
            context.Response.Headers["X-JSA-LOGIN-REQUIRED"] = "true";
            await WriteAsync(context, 200, "text/html", LoginPage);
            return;
        }

        if (request.Headers.Authorization.Count > 0)
        {
            var user = BasicUser(context);
            if (user is null)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"JSA\"";
                context.Response.StatusCode = 401;
                return;
            }

            var token = NewToken();
            _jasSessions[token] = user;
            Interlocked.Increment(ref _logins);
            context.Response.Cookies.Append("JazzOpSSO", token, new CookieOptions { Path = "/jts", Secure = request.IsHttps, HttpOnly = true });
            RedirectWithCode(context, user);
            return;
        }

        if (Mode == JazzServerMode.JasKerberos)
        {
            context.Response.Headers.WWWAuthenticate = "Negotiate";
            context.Response.StatusCode = 401;
            return;
        }

        await WriteAsync(context, 200, "text/html", LoginPage);
    }

    private void RedirectWithCode(HttpContext context, string user)
    {
        var code = NewToken();
        _codes[code] = user;
        Redirect(context, "/ccm/auth/callback?code=" + code);
    }

    private void Callback(HttpContext context)
    {
        if (_codes.TryRemove(context.Request.Query["code"].ToString(), out var user))
        {
            var session = NewToken();
            _appSessions[session] = user;
            context.Response.Cookies.Append("JSESSIONID", session, new CookieOptions { Path = "/ccm", Secure = context.Request.IsHttps, HttpOnly = true });
            Redirect(context, "/ccm/authenticated/identity");
            return;
        }

        context.Response.StatusCode = 400;
    }

    private string? BasicUser(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var user = decoded[..colon];
        return Users.TryGetValue(user, out var expected) && expected == decoded[(colon + 1)..] ? user : null;
    }

    private void Redirect(HttpContext context, string location)
    {
        context.Response.StatusCode = LoginRedirectStatus;
        context.Response.Headers.Location = location;
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    }

    private const string LoginPage = "<html><body><form method=\"post\" action=\"j_security_check\"><input name=\"j_username\"/><input type=\"password\" name=\"j_password\"/></form></body></html>";
}
