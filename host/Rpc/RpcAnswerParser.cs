using System.Text.Json;

namespace MfaHost.Rpc;

/// <summary>
/// Reads a JSON-RPC 2.0 answer (a line with a numeric id and a result or an error, and no method): the caller's
/// counterpart of <see cref="RpcRequestParser"/>, used where the host is the one calling (the worker link).
/// </summary>
internal static class RpcAnswerParser
{
    /// <summary>Reads an answer (a line with a numeric id and a result or an error, and no method); false for anything else.</summary>
    public static bool TryRead(ReadOnlySpan<byte> line, out long id, out RpcAnswer answer)
    {
        id = 0;
        answer = default;
        var hasId = false;
        byte[]? result = null;
        RpcError? error = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("method"u8))
                {
                    return false;
                }

                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    hasId = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out id);
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("result"u8))
                {
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    result = line[start..(int)reader.BytesConsumed].ToArray();
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    error = ReadError(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (!hasId || (result is null && error is null))
        {
            return false;
        }

        answer = new RpcAnswer(result ?? "null"u8.ToArray(), error);
        return true;
    }

    private static RpcError ReadError(ref Utf8JsonReader reader)
    {
        var code = RpcErrorCodes.InternalError;
        var message = string.Empty;
        var reason = ReasonWords.InternalError;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new RpcError(code, message, reason);
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number)
                {
                    code = reader.GetInt32();
                }
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString()! : message;
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isReason = reader.ValueTextEquals("reason"u8);
                    reader.Read();
                    if (isReason && reader.TokenType == JsonTokenType.String)
                    {
                        reason = reader.GetString()!;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new RpcError(code, message, reason);
    }
}

/// <summary>An answer read by <see cref="RpcAnswerParser"/>: the raw JSON of its result, or its error.</summary>
internal readonly record struct RpcAnswer(byte[] Result, RpcError? Error);
