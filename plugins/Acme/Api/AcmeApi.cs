using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MfaHost.PluginSdk;
using RestSharp;
using RestSharp.Authenticators;
using RestSharp.Serializers.Json;

namespace MfaHost.Plugins.Acme.Api;

/// <summary>
/// The Acme REST API over RestSharp. Every answer is classified here, in one place, as the SDK's
/// model says (see docs/acme.md and the Acme REST spec for the table):
/// <list type="bullet">
/// <item>a failed exchange (refused, DNS, timeout, a certificate that does not validate, an answer
/// that is not HTTP): the SDK's <see cref="HttpFailureClassifier"/> decides, as for every plugin;</item>
/// <item>an answer this plugin does not understand (401 bad_token, 5xx, unexpected status, a body
/// that is not the expected JSON): <see cref="MfaCommunicationError"/>;</item>
/// <item>the service refusing the user (unknown_user, rate_limited): <see cref="AcmeUserRejectedException"/>.</item>
/// </list>
/// Messages name the method, URL and status for the operator; never the token or a code.
/// </summary>
internal sealed class AcmeApi : IDisposable
{
    private readonly RestClient _client;
    private readonly TimeSpan _requestTimeout;

    /// <param name="options">The validated configuration.</param>
    /// <param name="http">From the SDK's factory (certificates, proxy, timeout); disposed with this object.</param>
    public AcmeApi(AcmeOptions options, HttpClient http)
    {
        _requestTimeout = options.RequestTimeout;
        var restOptions = new RestClientOptions(options.ServerUrl)
        {
            Authenticator = new JwtAuthenticator(options.Token), // adds "Authorization: Bearer <token>"
            ThrowOnAnyError = false,
            FollowRedirects = false, // RestSharp follows redirects itself; an API that redirects is misconfigured
            // Any HTTP answer is an answer: the status code is classified below, not by RestSharp.
            CalculateResponseStatus = _ => ResponseStatus.Completed,
        };
        _client = new RestClient(http, restOptions, disposeHttpClient: true, configureSerialization: s => s.UseSystemTextJson(AcmeJsonContext.Default.Options));
        _client.AddDefaultHeader(KnownHeaders.Accept, ContentType.Json);
    }

    /// <summary><c>POST /push</c>: starts a push (with the number to match, if any); returns the transaction id.</summary>
    public async Task<string> StartPushAsync(string user, string message, int? number, CancellationToken cancellationToken)
    {
        var request = new RestRequest("push", Method.Post).AddJsonBody(new PushRequest(user, message, number?.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)));
        var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw NotSuccessful(request, response);
        }

        var txid = Parse(request, response, AcmeJsonContext.Default.PushStarted)?.Txid;
        return string.IsNullOrWhiteSpace(txid) ? throw NotExpectedJson(request, response, "no 'txid'") : txid;
    }

    /// <summary><c>GET /push/{txid}</c>: the transaction's state.</summary>
    public async Task<PushStatus> GetPushStatusAsync(string txid, CancellationToken cancellationToken)
    {
        var request = new RestRequest("push/{txid}").AddUrlSegment("txid", txid);
        var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw NotSuccessful(request, response);
        }

        var word = Parse(request, response, AcmeJsonContext.Default.PushStatusBody)?.Status;
        return StatusOf(word) ?? throw NotExpectedJson(request, response, word is null ? "no 'status'" : $"unknown status '{word}'");
    }

    /// <summary>
    /// <c>POST /push/status</c> with <c>{"txids": [...]}</c>, answered <c>200 {"statuses": {"tx1": "waiting", ...}}</c>:
    /// the state of many transactions in one request. Not in the API v1: only for a service that offers it
    /// (<c>status_batch</c>). A transaction the answer leaves out, or reports as <c>unknown_txid</c>, is not in the result.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, PushStatus>> GetPushStatusesAsync(IReadOnlyList<string> txids, CancellationToken cancellationToken)
    {
        var request = new RestRequest("push/status", Method.Post).AddJsonBody(new PushStatusQuery(txids));
        var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw NotSuccessful(request, response);
        }

        var statuses = Parse(request, response, AcmeJsonContext.Default.PushStatusesBody)?.Statuses ?? throw NotExpectedJson(request, response, "no 'statuses'");
        var result = new Dictionary<string, PushStatus>(statuses.Count, StringComparer.Ordinal);
        foreach (var (txid, word) in statuses)
        {
            if (word == "unknown_txid")
            {
                continue;
            }

            result[txid] = StatusOf(word) ?? throw NotExpectedJson(request, response, word is null ? $"no status for '{txid}'" : $"unknown status '{word}'");
        }

        return result;
    }

    /// <summary><c>POST /otp/verify</c>: whether <paramref name="otp"/> is valid for <paramref name="user"/>.</summary>
    public async Task<bool> VerifyOtpAsync(string user, string otp, CancellationToken cancellationToken)
    {
        var request = new RestRequest("otp/verify", Method.Post).AddJsonBody(new OtpRequest(user, otp));
        var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw NotSuccessful(request, response);
        }

        return Parse(request, response, AcmeJsonContext.Default.OtpResult)?.Result switch
        {
            "valid" => true,
            "invalid" => false,
            var other => throw NotExpectedJson(request, response, other is null ? "no 'result'" : $"unknown result '{other}'"),
        };
    }

    public void Dispose() => _client.Dispose();

    private static PushStatus? StatusOf(string? word) => word switch
    {
        "waiting" => PushStatus.Waiting,
        "approved" => PushStatus.Approved,
        "denied" => PushStatus.Denied,
        "expired" => PushStatus.Expired,
        _ => null,
    };

    // Sends the request. Returns only when an HTTP answer (any status) arrived; a failed exchange is
    // classified by the SDK's rule (HttpFailureClassifier), and the gateway giving up propagates.
    private async Task<RestResponse> SendAsync(RestRequest request, CancellationToken cancellationToken)
    {
        RestResponse response;
        try
        {
            response = await _client.ExecuteAsync(request, cancellationToken);
        }
        catch (Exception e) when (HttpFailureClassifier.IsTransportFailure(e, cancellationToken))
        {
            throw HttpFailureClassifier.Classify(e, Describe(request), _requestTimeout);
        }

        // Cancellation is the gateway giving up, not a failure of the service: let it propagate.
        cancellationToken.ThrowIfCancellationRequested();
        if (response.ResponseStatus == ResponseStatus.Completed && response.StatusCode != 0)
        {
            return response;
        }

        // RestSharp reports a failed exchange in the response; a timeout may come without an exception.
        var failure = response.ErrorException ?? new TimeoutException(response.ErrorMessage ?? "no answer");
        throw HttpFailureClassifier.Classify(failure, Describe(request), _requestTimeout);
    }

    // An answer other than the call's success status.
    private Exception NotSuccessful(RestRequest request, RestResponse response)
    {
        var error = ParseError(response);
        var status = $"answered HTTP {(int)response.StatusCode}" + (error is null ? string.Empty : $" '{error}'");
        return (response.StatusCode, error) switch
        {
            (HttpStatusCode.NotFound, "unknown_user") =>
                new AcmeUserRejectedException(error, "Acme does not know this user"),
            (HttpStatusCode.TooManyRequests, "rate_limited") =>
                new AcmeUserRejectedException(error, "Too many attempts: Acme refuses more for now, try again later"),
            (HttpStatusCode.Unauthorized, _) =>
                new MfaCommunicationError($"{Describe(request)} {status}: the service rejected the API token; check [acme] token"),
            ( >= HttpStatusCode.InternalServerError, _) =>
                new MfaCommunicationError($"{Describe(request)} {status}: the service failed"),
            _ => new MfaCommunicationError($"{Describe(request)} {status}, which the Acme API v1 does not answer; check [acme] server_url"),
        };
    }

    private T? Parse<T>(RestRequest request, RestResponse response, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(response.Content ?? string.Empty, type);
        }
        catch (JsonException)
        {
            // The body is not shown: a confused service might echo a code back.
            throw NotExpectedJson(request, response, "not a JSON object of the expected shape");
        }
    }

    private MfaCommunicationError NotExpectedJson(RestRequest request, RestResponse response, string problem) =>
        new($"{Describe(request)} answered HTTP {(int)response.StatusCode} with a body that is not the expected JSON ({problem}; {response.ContentLength ?? response.RawBytes?.Length ?? 0} bytes of '{response.ContentType ?? "no content type"}')");

    private static string? ParseError(RestResponse response)
    {
        try
        {
            return JsonSerializer.Deserialize(response.Content ?? string.Empty, AcmeJsonContext.Default.ErrorBody)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string Describe(RestRequest request) => $"{request.Method.ToString().ToUpperInvariant()} {_client.BuildUri(request)}";
}
