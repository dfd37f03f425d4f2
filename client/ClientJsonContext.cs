using System.Text.Json;
using System.Text.Json.Serialization;

namespace MfaHost.Client;

/// <summary>Source-generated JSON metadata: snake_case, no reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuthenticateParams))]
[JsonSerializable(typeof(AuthenticateResult))]
[JsonSerializable(typeof(SessionEndedParams))]
[JsonSerializable(typeof(SessionEndedResult))]
[JsonSerializable(typeof(PluginsResult))]
[JsonSerializable(typeof(HealthResult))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;

internal sealed record SessionEndedParams(string SessionId);

internal sealed record SessionEndedResult(bool Ended);

internal sealed record PluginsResult(IReadOnlyList<PluginInfo> Plugins);
