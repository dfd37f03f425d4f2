using System.Net;
using System.Text.Json.Nodes;

namespace MfaHost.Plugins.Hmc.Api;

/// <summary>One answer of the HMC: status, and the JSON body when there is one.</summary>
/// <remarks>The body may hold a session credential: it is never logged or put into a message.</remarks>
internal sealed class HmcResponse(HttpStatusCode status, string? mediaType, JsonObject? json, bool isHtml, bool saysWebServicesDisabled)
{
    public HttpStatusCode Status { get; } = status;

    public string? MediaType { get; } = mediaType;

    /// <summary>The body as a JSON object; null when the body is empty or not a JSON object.</summary>
    public JsonObject? Json { get; } = json;

    /// <summary>The body is an HTML page (where JSON was expected).</summary>
    public bool IsHtml { get; } = isHtml;

    /// <summary>The HTML page says the HMC's Web Services are not enabled.</summary>
    public bool SaysWebServicesDisabled { get; } = saysWebServicesDisabled;

    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>The error body's <c>reason</c> code, when present.</summary>
    public int? Reason => Json?["reason"] is JsonValue v && v.TryGetValue<int>(out var reason) ? reason : null;

    /// <summary>The error body's <c>message</c>, when present.</summary>
    public string? Message => Json?["message"] is JsonValue v && v.TryGetValue<string>(out var message) ? message : null;

    /// <summary>403 reason 4 or 5: log on again, then retry the call once.</summary>
    public bool IsSessionInvalid =>
        Status == HttpStatusCode.Forbidden && Reason is HmcApi.ReasonNoSessionId or HmcApi.ReasonSessionInvalid;

    /// <summary>What came back, for an operator: status, reason and message or the kind of body. Never the body itself.</summary>
    public string Describe()
    {
        var status = $"HTTP {(int)Status}";
        if (SaysWebServicesDisabled)
        {
            return $"{status} with an HTML page saying the Web Services API is not enabled on this HMC (enable it, and Web Services access for the user, in the HMC's Customize API Settings)";
        }

        if (IsHtml)
        {
            return $"{status} with an HTML page instead of JSON";
        }

        if (Json is not null)
        {
            var reason = Reason is { } r ? $"reason {r}" : "no reason code";
            return Message is { Length: > 0 } m ? $"{status} ({reason}: {m})" : $"{status} ({reason})";
        }

        return MediaType is null ? $"{status} with an empty or unreadable body" : $"{status} with a body of type {MediaType} that is not a JSON object";
    }
}
