using System.Text.Json.Serialization;

namespace MfaHost.Protocol.Methods;

/// <summary>Source-generated JSON metadata for the gateway methods: snake_case, no reflection on the request path.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(AuthenticateParams))]
[JsonSerializable(typeof(AuthenticateResult))]
[JsonSerializable(typeof(SessionEndedParams))]
[JsonSerializable(typeof(SessionEndedResult))]
[JsonSerializable(typeof(PluginsResult))]
[JsonSerializable(typeof(HealthResult))]
[JsonSerializable(typeof(ReloadMethodResult))]
[JsonSerializable(typeof(TokenCreateParams))]
[JsonSerializable(typeof(TokenCreateResult))]
[JsonSerializable(typeof(TicketParams))]
[JsonSerializable(typeof(TicketResult))]
[JsonSerializable(typeof(TicketVerifyParams))]
[JsonSerializable(typeof(TicketVerifyResult))]
[JsonSerializable(typeof(AdminParams))]
[JsonSerializable(typeof(AdminResult))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
