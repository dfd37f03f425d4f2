using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Acme.Tests.TestServer;

/// <summary>
/// A real Acme REST API v1 server (Kestrel on 127.0.0.1, a free port), over HTTP or HTTPS, with
/// scriptable users (<see cref="AcmeUser"/>) and a log of every request. Unknown users get
/// <c>404 unknown_user</c>; a wrong bearer token gets <c>401 bad_token</c>.
/// </summary>
public sealed class AcmeTestServer : IAsyncDisposable
{
    public const string BasePath = "/api/v1";

    private readonly ConcurrentDictionary<string, AcmeUser> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Transaction> _transactions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AcmeRequestLogEntry> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly WebApplication _app;
    private int _nextTxid;
    private TaskCompletionSource _requestArrived = NewSignal();

    private AcmeTestServer(WebApplication app, string token)
    {
        _app = app;
        Token = token;
    }

    /// <summary>The bearer token the server accepts.</summary>
    public string Token { get; }

    /// <summary>The API base URL to configure as <c>server_url</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request received, in order of arrival.</summary>
    public IReadOnlyList<AcmeRequestLogEntry> Requests => [.. _requests];

    /// <summary>Starts a server; with <paramref name="certificate"/> it speaks HTTPS.</summary>
    public static async Task<AcmeTestServer> StartAsync(string token = "acme-test-token-5f1c", X509Certificate2? certificate = null, string host = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxConcurrentConnections = null;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        var server = new AcmeTestServer(app, token);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server.BaseUrl = new Uri($"{address.Scheme}://{host}:{address.Port}{BasePath}");
        return server;
    }

    /// <summary>Adds or replaces a user.</summary>
    public void SetUser(string name, AcmeUser user) => _users[name] = user;

    /// <summary>Adds or replaces a user with the defaults (push approved at the first poll, code 123456).</summary>
    public void SetUser(string name) => SetUser(name, new AcmeUser());

    /// <summary>How many requests of <paramref name="method"/> had a path starting with <paramref name="pathPrefix"/>.</summary>
    public int Count(string method, string pathPrefix) =>
        _requests.Count(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    /// <summary>How many polls a transaction got: <c>GET /push/{txid}</c>, and batch queries (<c>POST /push/status</c>) that named it.</summary>
    public int PollsOf(string txid) => _requests.Count(r =>
        (r.Method == "GET" && r.Path == "/push/" + txid) ||
        (r.Method == "POST" && r.Path == "/push/status" && TxidsOf(r.Body).Contains(txid)));

    /// <summary>How many connections carried the requests so far.</summary>
    public int ConnectionsSeen => _requests.Select(r => r.ConnectionId).Distinct().Count();

    /// <summary>The push message the service received for <paramref name="txid"/>.</summary>
    public string MessageOf(string txid) => _transactions[txid].Message;

    /// <summary>The number to match the service received with <paramref name="txid"/> (<c>number</c> in <c>POST /push</c>), or null.</summary>
    public int? PushNumberOf(string txid) => _transactions[txid].PushNumber;

    /// <summary>The transaction ids started for <paramref name="user"/>, in order.</summary>
    public IReadOnlyList<string> TransactionsOf(string user) =>
        [.. _transactions.Where(t => t.Value.User == user).OrderBy(t => t.Value.Number).Select(t => t.Key)];

    /// <summary>Waits (without polling a clock) until the request log satisfies <paramref name="condition"/>.</summary>
    public async Task WaitForAsync(Func<AcmeTestServer, bool> condition, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var arrived = Volatile.Read(ref _requestArrived).Task;
            if (condition(this))
            {
                return;
            }

            await arrived.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted);
        var path = request.Path.Value ?? string.Empty;
        path = path.StartsWith(BasePath, StringComparison.Ordinal) ? path[BasePath.Length..] : "!" + path;
        var tokenValid = request.Headers.Authorization.ToString() == "Bearer " + Token;
        _requests.Enqueue(new AcmeRequestLogEntry(request.Method, path, DateTimeOffset.UtcNow, tokenValid, request.Headers.Accept.ToString(), body, context.Connection.Id, request.Protocol));
        Interlocked.Exchange(ref _requestArrived, NewSignal()).TrySetResult();

        if (!tokenValid)
        {
            await Json(context, 401, """{"error":"bad_token"}""");
            return;
        }

        switch (request.Method, path)
        {
            case ("GET", "/ping"):
                await Json(context, 200, """{"version":"1.0"}""");
                break;
            case ("POST", "/push"):
                await StartPushAsync(context, body);
                break;
            case ("POST", "/push/status"):
                await BatchStatusAsync(context, body);
                break;
            case ("GET", _) when path.StartsWith("/push/", StringComparison.Ordinal):
                await PollAsync(context, path["/push/".Length..]);
                break;
            case ("POST", "/otp/verify"):
                await VerifyOtpAsync(context, body);
                break;
            default:
                context.Response.StatusCode = 404;
                await context.Response.WriteAsync("<html>no such page</html>", context.RequestAborted);
                break;
        }
    }

    private async Task StartPushAsync(HttpContext context, string body)
    {
        var name = Property(body, "user");
        if (name is null || !_users.TryGetValue(name, out var user))
        {
            await Json(context, 404, """{"error":"unknown_user"}""");
            return;
        }

        // "number" (number matching) is optional; when present it must be the two-digit number the user is shown ("47").
        var pushNumber = NumberProperty(body, "number");
        if (pushNumber is { Valid: false })
        {
            await Json(context, 400, """{"error":"bad_number"}""");
            return;
        }

        if (await DelayAndFaultAsync(context, user, user.OnPushStart, """{"txid":""}"""))
        {
            return;
        }

        var number = Interlocked.Increment(ref _nextTxid);
        var txid = $"tx{number}";
        _transactions[txid] = new Transaction(name, number, Property(body, "message") ?? string.Empty, pushNumber?.Value);
        await Json(context, 202, $$"""{"txid":"{{txid}}"}""");
    }

    private async Task PollAsync(HttpContext context, string txid)
    {
        if (!_transactions.TryGetValue(txid, out var transaction))
        {
            await Json(context, 404, """{"error":"unknown_txid"}""");
            return;
        }

        var user = _users[transaction.User];
        if (await DelayAndFaultAsync(context, user, user.OnPoll, """{"status":"pending"}"""))
        {
            return;
        }

        await Json(context, 200, $$"""{"status":"{{NextStatus(transaction, user)}}"}""");
    }

    // The batch status query some services offer (not in the API v1; the acme plugin's status_batch):
    // {"txids":[...]} answered {"statuses":{"tx1":"waiting","tx9":"unknown_txid"}}. Faults and delays are
    // those of the first transaction's user.
    private async Task BatchStatusAsync(HttpContext context, string body)
    {
        var txids = TxidsOf(body);
        if (txids.Count == 0)
        {
            await Json(context, 400, """{"error":"bad_request"}""");
            return;
        }

        if (_transactions.TryGetValue(txids[0], out var first) && await DelayAndFaultAsync(context, _users[first.User], _users[first.User].OnPoll, """{"statuses":{}}"""))
        {
            return;
        }

        var statuses = txids.Distinct(StringComparer.Ordinal).Select(txid =>
            _transactions.TryGetValue(txid, out var transaction) ? (txid, NextStatus(transaction, _users[transaction.User])) : (txid, "unknown_txid"));
        await Json(context, 200, JsonSerializer.Serialize(new { statuses = statuses.ToDictionary(s => s.txid, s => s.Item2, StringComparer.Ordinal) }));
    }

    private static string NextStatus(Transaction transaction, AcmeUser user)
    {
        var poll = Interlocked.Increment(ref transaction.Polls);
        return poll <= user.WaitingPolls ? "waiting" : user.Push switch
        {
            PushDecision.Approve => "approved",
            PushDecision.Deny => "denied",
            PushDecision.Expire => "expired",
            _ => "waiting",
        };
    }

    private static List<string> TxidsOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("txids", out var txids) && txids.ValueKind == JsonValueKind.Array
                ? [.. txids.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)]
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private async Task VerifyOtpAsync(HttpContext context, string body)
    {
        var name = Property(body, "user");
        if (name is null || !_users.TryGetValue(name, out var user))
        {
            await Json(context, 404, """{"error":"unknown_user"}""");
            return;
        }

        if (await DelayAndFaultAsync(context, user, user.OnOtp, """{"result":"perhaps"}"""))
        {
            return;
        }

        await Json(context, 200, Property(body, "otp") == user.ValidOtp ? """{"result":"valid"}""" : """{"result":"invalid"}""");
    }

    // Applies the user's delay and the call's fault; true when the fault answered instead of the API.
    private async Task<bool> DelayAndFaultAsync(HttpContext context, AcmeUser user, AcmeFault fault, string unknownWordBody)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        if (user.Delay > TimeSpan.Zero)
        {
            await Task.Delay(user.Delay, linked.Token);
        }

        switch (fault)
        {
            case AcmeFault.None:
                return false;
            case AcmeFault.Hang:
                try
                {
                    await Task.Delay(Timeout.Infinite, linked.Token);
                }
                catch (OperationCanceledException)
                {
                    context.Abort();
                }

                return true;
            case AcmeFault.ServerError:
                await Json(context, 500, """{"error":"internal"}""");
                return true;
            case AcmeFault.Unavailable:
                context.Response.StatusCode = 503;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>Service Unavailable</body></html>");
                return true;
            case AcmeFault.GarbageJson:
                await Json(context, SuccessStatus(context), "this is { not json");
                return true;
            case AcmeFault.WrongShape:
                await Json(context, SuccessStatus(context), """["an","array"]""");
                return true;
            case AcmeFault.UnknownWord:
                await Json(context, SuccessStatus(context), unknownWordBody);
                return true;
            case AcmeFault.AbortMidResponse:
                context.Response.StatusCode = SuccessStatus(context);
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = 200;
                await context.Response.WriteAsync("""{"status":"appr""");
                await context.Response.Body.FlushAsync();
                context.Abort();
                return true;
            case AcmeFault.AbortBeforeResponse:
                context.Abort();
                return true;
            case AcmeFault.RateLimited:
                await Json(context, 429, """{"error":"rate_limited"}""");
                return true;
            case AcmeFault.UnexpectedStatus:
                await Json(context, 418, """{"error":"teapot"}""");
                return true;
            case AcmeFault.Redirect:
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = "https://elsewhere.invalid/";
                return true;
            case AcmeFault.UnknownTxid:
                await Json(context, 404, """{"error":"unknown_txid"}""");
                return true;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static int SuccessStatus(HttpContext context) =>
        context.Request.Method == "POST" && context.Request.Path.Value!.EndsWith("/push", StringComparison.Ordinal) ? 202 : 200;

    private static async Task Json(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    private static string? Property(string body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Null when absent; Valid false when present but not a string of two digits.
    private static (bool Valid, int Value)? NumberProperty(string body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(name, out var value))
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.String && value.GetString() is [>= '0' and <= '9', >= '0' and <= '9'] digits
                ? (true, int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture))
                : (false, 0);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A push transaction: whose, which, and how often it was polled.</summary>
    private sealed class Transaction(string user, int number, string message, int? pushNumber)
    {
        public int? PushNumber { get; } = pushNumber;

        public int Polls;

        public string User { get; } = user;

        public int Number { get; } = number;

        public string Message { get; } = message;
    }
}
