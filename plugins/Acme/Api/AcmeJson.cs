using System.Text.Json.Serialization;

namespace MfaHost.Plugins.Acme.Api;

// The bodies of the Acme REST API, version 1 (see docs/acme.md and the Acme REST spec). Response fields are
// nullable: a missing field is the service's mistake and is reported as a communication error,
// not a crash.

// Number: the two-digit number the host showed the user (number matching, a string such as "47"); absent when not in use.
internal sealed record PushRequest(string User, string Message, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Number = null);

internal sealed record PushStarted(string? Txid);

internal sealed record PushStatusBody(string? Status);

internal sealed record PushStatusQuery(IReadOnlyList<string> Txids);

internal sealed record PushStatusesBody(Dictionary<string, string?>? Statuses);

internal sealed record OtpRequest(string User, string Otp);

internal sealed record OtpResult(string? Result);

internal sealed record ErrorBody(string? Error);

/// <summary>Source-generated JSON for the bodies above: snake_case names, no reflection at run time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PushRequest))]
[JsonSerializable(typeof(PushStarted))]
[JsonSerializable(typeof(PushStatusBody))]
[JsonSerializable(typeof(PushStatusQuery))]
[JsonSerializable(typeof(PushStatusesBody))]
[JsonSerializable(typeof(OtpRequest))]
[JsonSerializable(typeof(OtpResult))]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class AcmeJsonContext : JsonSerializerContext;
