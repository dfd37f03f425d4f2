using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MfaHost.Plugins.Hmc.Configuration;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Hmc.Api;

/// <summary>
/// The HMC Web Services API of one HMC: raw calls, the version query and the logon. A failed exchange is
/// classified by the SDK's <see cref="HttpFailureClassifier"/>; answers the plugin does not understand
/// become <see cref="MfaCommunicationError"/>; a refused logon <see cref="MfaAuthenticationFailure"/>.
/// No message ever holds a password, code, session id or session credential.
/// </summary>
internal sealed class HmcApiClient(HttpClient http, HmcEndpoint endpoint, TimeSpan timeout)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public HmcEndpoint Endpoint { get; } = endpoint;

    /// <summary><c>GET /api/version</c> (no logon needed).</summary>
    public async Task<HmcVersion> GetVersionAsync(CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, HmcApi.VersionPath, body: null, sessionId: null, cancellationToken);
        if (!response.IsSuccess || response.Json is null ||
            Int(response.Json, "api-major-version") is not { } major || Int(response.Json, "api-minor-version") is not { } minor)
        {
            throw new MfaCommunicationError($"HMC {Endpoint} answered GET {HmcApi.VersionPath} with {Describe(response)}");
        }

        return new HmcVersion(Str(response.Json, "hmc-name"), Str(response.Json, "hmc-version"), major, minor);
    }

    /// <summary><c>POST /api/sessions</c>: logs <paramref name="credentials"/> on.</summary>
    public async Task<HmcLogon> LogonAsync(HmcLogonCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var body = new JsonObject
        {
            [HmcApi.UseridField] = credentials.Userid,
            [HmcApi.PasswordField] = credentials.Password,
        };
        if (!string.IsNullOrEmpty(credentials.MfaCode))
        {
            body[HmcApi.MfaCodeField] = credentials.MfaCode;
        }

        var response = await SendAsync(HttpMethod.Post, HmcApi.SessionsPath, body, sessionId: null, cancellationToken);
        if (response.Status == HttpStatusCode.Forbidden && response.Json is not null)
        {
            // Reason 0 is a bad user id, password or code; any other 403 on a logon is a refusal too
            // (a disabled or locked user): the HMC said no, it did not misunderstand us.
            throw new MfaAuthenticationFailure($"HMC {Endpoint} refused the logon of {credentials.Userid}: {response.Describe()}");
        }

        if (response.Status is not (HttpStatusCode.OK or HttpStatusCode.Created) || response.Json is null)
        {
            throw new MfaCommunicationError($"HMC {Endpoint} answered the logon of {credentials.Userid} with {Describe(response)}");
        }

        var json = response.Json;
        var apiSession = Str(json, "api-session");
        var credential = Str(json, "session-credential");
        if (string.IsNullOrEmpty(apiSession) || string.IsNullOrEmpty(credential))
        {
            var missing = string.IsNullOrEmpty(apiSession) ? "api-session" : "session-credential";
            throw new MfaCommunicationError($"HMC {Endpoint} answered the logon of {credentials.Userid} with HTTP {(int)response.Status} but without {missing} in its JSON body");
        }

        return new HmcLogon
        {
            ApiSession = apiSession,
            SessionCredential = credential,
            NotificationTopic = Str(json, "notification-topic"),
            JobNotificationTopic = Str(json, "job-notification-topic"),
            ApiMajorVersion = Int(json, "api-major-version"),
            ApiMinorVersion = Int(json, "api-minor-version"),
            PasswordExpires = Int(json, "password-expires"),
        };
    }

    /// <summary>
    /// Sends one request (JSON body, <c>X-API-Session</c> when <paramref name="sessionId"/> is given) and
    /// reads the answer, whatever its status.
    /// </summary>
    /// <exception cref="MfaServiceUnreachable">Refused, DNS, no answer within the request timeout.</exception>
    /// <exception cref="MfaCommunicationError">A certificate that does not validate; an answer that is not HTTP.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<HmcResponse> SendAsync(HttpMethod method, string path, JsonObject? body, string? sessionId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(Endpoint.BaseAddress, path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (sessionId is not null)
        {
            request.Headers.TryAddWithoutValidation(HmcApi.SessionHeader, sessionId);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = Json;
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return Read(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
        }
        catch (Exception e) when (HttpFailureClassifier.IsTransportFailure(e, cancellationToken))
        {
            throw HttpFailureClassifier.Classify(e, $"HMC {Endpoint}: {method} {path}", timeout);
        }
    }

    internal static HmcResponse Read(HttpStatusCode status, string? mediaType, string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        var isHtml = string.Equals(mediaType, "text/html", StringComparison.OrdinalIgnoreCase) ||
                     trimmed.StartsWith("<!DOCTYPE html", StringComparison.OrdinalIgnoreCase) ||
                     trimmed.StartsWith("<html", StringComparison.OrdinalIgnoreCase);
        var disabled = isHtml &&
                       text.Contains("Web Services", StringComparison.OrdinalIgnoreCase) &&
                       text.Contains("not enabled", StringComparison.OrdinalIgnoreCase);
        JsonObject? json = null;
        if (!isHtml && trimmed.StartsWith("{", StringComparison.Ordinal))
        {
            try
            {
                json = JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
                json = null;
            }
        }

        return new HmcResponse(status, mediaType, json, isHtml, disabled);
    }

    private static string Describe(HmcResponse response) =>
        response.IsSuccess && response.Json is not null ? $"HTTP {(int)response.Status} and a JSON body of an unexpected shape" : response.Describe();

    private static string? Str(JsonObject json, string name) =>
        json[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static int? Int(JsonObject json, string name)
    {
        if (json[name] is not JsonValue v)
        {
            return null;
        }

        if (v.TryGetValue<int>(out var i))
        {
            return i;
        }

        if (v.TryGetValue<long>(out var l) && l is >= int.MinValue and <= int.MaxValue)
        {
            return (int)l;
        }

        return v.TryGetValue<string>(out var s) && int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }
}
