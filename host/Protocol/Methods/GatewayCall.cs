using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MfaHost.Access;
using MfaHost.Rpc;

namespace MfaHost.Protocol.Methods;

/// <summary>One call as a method sees it: the params' JSON and who called.</summary>
internal sealed class GatewayCall(string method, byte[]? parameters, PeerCredentials peer)
{
    public string Method { get; } = method;

    /// <summary>The params' JSON text, or null when the request had none.</summary>
    public byte[]? Params { get; } = parameters;

    public PeerCredentials Peer { get; } = peer;

    /// <summary>Decodes the params (unknown fields ignored); a wrong shape is -32602 naming the field.</summary>
    public T ReadParams<T>(JsonTypeInfo<T> typeInfo)
        where T : new()
    {
        if (Params is null)
        {
            return new T();
        }

        if (Params[0] != (byte)'{')
        {
            throw new RpcException(RpcErrorCodes.InvalidParams, "Invalid params: params must be an object with named fields", ReasonWords.InvalidParams);
        }

        try
        {
            return JsonSerializer.Deserialize(Params, typeInfo) ?? new T();
        }
        catch (JsonException e)
        {
            // The exception's own message is not passed on: it is the serializer's wording, not the contract's.
            var field = FieldOf(e.Path);
            throw new RpcException(RpcErrorCodes.InvalidParams, field is null ? "Invalid params" : $"Invalid params: '{field}' has the wrong type", ReasonWords.InvalidField);
        }
    }

    /// <summary>The value of a required string field; absent, null or empty is -32602 <c>missing_field</c>.</summary>
    public static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value)
            ? throw new RpcException(RpcErrorCodes.InvalidParams, $"Invalid params: '{field}' is required", ReasonWords.MissingField)
            : value;

    private static string? FieldOf(string? path)
    {
        // "$.attributes.x" → "attributes"; "$.username" → "username".
        if (path is null || !path.StartsWith("$.", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = path[2..];
        var end = rest.IndexOfAny(['.', '[']);
        return end < 0 ? rest : rest[..end];
    }
}
