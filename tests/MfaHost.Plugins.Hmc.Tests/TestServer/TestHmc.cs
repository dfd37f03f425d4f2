using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Hmc.Tests.TestServer;

/// <summary>
/// A test HMC: the WS API calls the plugin uses (version, logon with and without MFA, logoff, a call
/// that needs a session) over HTTPS on 127.0.0.1:0 with a test CA's certificate, plus its STOMP-over-TLS
/// notification broker. Switches make it expire sessions or misbehave.
/// </summary>
public sealed class TestHmc : IAsyncDisposable
{
    public const string WebServicesDisabledPage =
        "<!DOCTYPE html><html><head><title>Hardware Management Console</title></head>" +
        "<body><h1>Error</h1><p>The Web Services are not enabled on this Hardware Management Console.</p></body></html>";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, TestHmcUser> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TestHmcSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _log = new();
    private readonly TimeProvider _time;
    private int _disposed;

    private TestHmc(WebApplication app, TestStompBroker broker, string name, TimeProvider time)
    {
        _app = app;
        Broker = broker;
        Name = name;
        _time = time;
    }

    public string Name { get; }

    public int Port { get; private set; }

    /// <summary>What <c>hosts</c> names this HMC as.</summary>
    public string HostEntry => $"localhost:{Port}";

    public TestStompBroker Broker { get; }

    public TestHmcMode Mode { get; set; }

    /// <summary>New sessions are invalid at once (every later call gets 403 reason 5).</summary>
    public bool SessionsBornExpired { get; set; }

    /// <summary>What happened, in order: <c>logon ok alice mfa</c>, <c>logoff 204 alice &lt;session&gt;</c> ...</summary>
    public IReadOnlyList<string> Log => [.. _log];

    public IReadOnlyCollection<TestHmcSession> Sessions => [.. _sessions.Values];

    /// <summary>The field names of every logon body received, in order (values are not kept).</summary>
    public ConcurrentQueue<IReadOnlyList<string>> LogonFields { get; } = new();

    public static async Task<TestHmc> StartAsync(X509Certificate2 serverCertificate, string name = "HMC1", TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(serverCertificate)));
        var app = builder.Build();
        var broker = await TestStompBroker.StartAsync(serverCertificate);
        var hmc = new TestHmc(app, broker, name, time ?? TimeProvider.System);
        broker.Authorize = hmc.AuthorizeBroker;
        app.Run(hmc.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        hmc.Port = new Uri(address).Port;
        return hmc;
    }

    public TestHmcUser AddUser(string userid, string password, byte[]? totpSecret = null, int passwordExpires = -1)
    {
        var user = new TestHmcUser(userid, password, totpSecret, passwordExpires);
        _users[userid] = user;
        return user;
    }

    /// <summary>Every session handed out so far becomes invalid (403 reason 5 on later calls).</summary>
    public void ExpireAllSessions()
    {
        foreach (var session in _sessions.Values)
        {
            session.Expired = true;
        }
    }

    public TestHmcSession SessionOf(string apiSession) => _sessions[apiSession];

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        await Broker.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var path = request.Path.Value ?? string.Empty;
        if (Mode == TestHmcMode.WebServicesDisabled)
        {
            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/html";
            await http.Response.WriteAsync(WebServicesDisabledPage);
            return;
        }

        if (Mode == TestHmcMode.ServerError)
        {
            await Error(http, 500, 0, "Internal server error");
            return;
        }

        switch (request.Method, path)
        {
            case ("GET", "/api/version"):
                await Json(http, 200, new JsonObject
                {
                    ["hmc-name"] = Name,
                    ["hmc-version"] = "2.16.0",
                    ["api-major-version"] = 4,
                    ["api-minor-version"] = 40,
                });
                break;
            case ("POST", "/api/sessions"):
                await LogonAsync(http);
                break;
            case ("DELETE", "/api/sessions/this-session"):
                await LogoffAsync(http);
                break;
            case ("GET", "/api/console"):
                if (await SessionAsync(http) is { } session)
                {
                    await Json(http, 200, new JsonObject { ["name"] = Name, ["object-uri"] = "/api/console", ["user"] = session.User.Userid });
                }

                break;
            default:
                await Error(http, 404, 1, $"No such resource: {request.Method} {path}");
                break;
        }
    }

    private async Task LogonAsync(HttpContext http)
    {
        if (http.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            await Error(http, 415, 1, "Content-Type must be application/json");
            return;
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body is null)
        {
            await Error(http, 400, 1, "The request body is not a JSON object");
            return;
        }

        LogonFields.Enqueue([.. body.Select(p => p.Key)]);
        var userid = (string?)body["userid"];
        var password = (string?)body["password"];
        var code = (string?)body["mfa-code"];
        if (userid is null || password is null)
        {
            _log.Enqueue($"logon 400 missing field");
            await Error(http, 400, 5, userid is null ? "Required field 'userid' is missing" : "Required field 'password' is missing");
            return;
        }

        if (!_users.TryGetValue(userid, out var user) || !FixedEquals(user.Password, password) ||
            (user.TotpSecret is { } secret && (code is null || !TestTotp.Verify(secret, code, _time.GetUtcNow()))))
        {
            _log.Enqueue($"logon 403 {userid}");
            await Error(http, 403, 0, "Logon failed: the user ID, password or MFA code is not valid");
            return;
        }

        if (Mode == TestHmcMode.LogonServerError)
        {
            _log.Enqueue($"logon 503 {userid}");
            await Error(http, 503, 1, "The HMC is busy");
            return;
        }

        var session = new TestHmcSession(Token(18), Token(24), user) { Expired = SessionsBornExpired };
        var answer = new JsonObject
        {
            ["api-session"] = session.Id,
            ["session-credential"] = session.Credential,
            ["notification-topic"] = $"{userid}-notifications",
            ["job-notification-topic"] = $"{userid}-job-notifications",
            ["api-major-version"] = 4,
            ["api-minor-version"] = 40,
            ["password-expires"] = user.PasswordExpires,
        };
        if (Mode == TestHmcMode.LogonWithoutApiSession)
        {
            answer.Remove("api-session");
        }
        else
        {
            _sessions[session.Id] = session;
        }

        _log.Enqueue($"logon 200 {userid} {(code is null ? "password" : "mfa")} {session.Id}");
        await Json(http, 200, answer);
    }

    private async Task LogoffAsync(HttpContext http)
    {
        var id = http.Request.Headers["X-API-Session"].ToString();
        if (id.Length > 0 && _sessions.TryGetValue(id, out var known))
        {
            known.CountLogoff();
        }

        if (Mode == TestHmcMode.LogoffFails)
        {
            _log.Enqueue($"logoff 500 {id}");
            await Error(http, 500, 0, "Logoff failed");
            return;
        }

        if (await SessionAsync(http) is not { } session)
        {
            _log.Enqueue($"logoff 403 {id}");
            return;
        }

        session.LoggedOff = true;
        _log.Enqueue($"logoff 204 {session.User.Userid} {session.Id}");
        http.Response.StatusCode = 204;
    }

    // 403 reason 4 without the header, 403 reason 5 for an unknown, expired or logged-off session.
    private async Task<TestHmcSession?> SessionAsync(HttpContext http)
    {
        var id = http.Request.Headers["X-API-Session"].ToString();
        if (id.Length == 0)
        {
            await Error(http, 403, 4, "The request has no X-API-Session header");
            return null;
        }

        if (!_sessions.TryGetValue(id, out var session) || !session.IsValid)
        {
            await Error(http, 403, 5, "The session ID is not valid");
            return null;
        }

        return session;
    }

    // The broker takes the session id and session credential from anyone, the user id and password
    // only from users without HMC MFA, and nothing else.
    private bool AuthorizeBroker(string? login, string? passcode)
    {
        if (login is null || passcode is null)
        {
            return false;
        }

        if (_sessions.TryGetValue(login, out var session))
        {
            return session.IsValid && FixedEquals(session.Credential, passcode);
        }

        return _users.TryGetValue(login, out var user) && !user.HasMfa && FixedEquals(user.Password, passcode);
    }

    private static Task Json(HttpContext http, int status, JsonObject body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(body.ToJsonString());
    }

    private static Task Error(HttpContext http, int status, int reason, string message) =>
        Json(http, status, new JsonObject
        {
            ["http-status"] = status,
            ["reason"] = reason,
            ["message"] = message,
            ["request-method"] = http.Request.Method,
            ["request-uri"] = http.Request.Path.Value,
        });

    private static bool FixedEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(expected), System.Text.Encoding.UTF8.GetBytes(actual));

    private static string Token(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).Replace('+', '-').Replace('/', '_');
}
