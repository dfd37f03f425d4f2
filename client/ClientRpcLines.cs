using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MfaHost.Client;

/// <summary>The JSON-RPC 2.0 lines of the gateway protocol as the client writes and reads them.</summary>
internal static class ClientRpcLines
{
    /// <summary>One request line (with its line feed).</summary>
    public static byte[] EncodeRequest(long id, string method, byte[]? parameters)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (parameters?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc"u8, "2.0"u8);
            writer.WriteNumber("id"u8, id);
            writer.WriteString("method"u8, method);
            if (parameters is not null)
            {
                writer.WritePropertyName("params"u8);
                writer.WriteRawValue(parameters, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The result of an answer line, or the host's error as <see cref="MfaHostRpcException"/>.</summary>
    public static T Decode<T>(byte[] response, JsonTypeInfo<T> resultType)
    {
        using var document = JsonDocument.Parse(response);
        var root = document.RootElement;
        if (root.TryGetProperty("error"u8, out var error))
        {
            var code = error.TryGetProperty("code"u8, out var c) && c.TryGetInt32(out var n) ? n : -32603;
            var message = error.TryGetProperty("message"u8, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "MfaHost error";
            var reason = error.TryGetProperty("data"u8, out var d) && d.ValueKind == JsonValueKind.Object
                && d.TryGetProperty("reason"u8, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            throw new MfaHostRpcException(code, message, reason);
        }

        if (!root.TryGetProperty("result"u8, out var result))
        {
            throw new MfaHostRpcException(-32603, "the host's answer has neither result nor error", null);
        }

        if (typeof(T) == typeof(JsonElement))
        {
            return (T)(object)result.Clone();
        }

        return result.Deserialize(resultType) ?? throw new MfaHostRpcException(-32603, "the host's answer has a null result", null);
    }

    /// <summary>The numeric id of an answer line; null when it has none.</summary>
    public static long? FindId(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var id) ? id : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
