using System.Text.Json;
using System.Text.Unicode;

namespace MfaHost.Rpc;

/// <summary>Decodes one JSON Lines frame into a JSON-RPC 2.0 request, or the error to answer.</summary>
internal static class RpcRequestParser
{
    /// <summary>The JSON text of a null id, for errors answered before an id is known.</summary>
    public static readonly byte[] NullId = "null"u8.ToArray();

    /// <summary>
    /// Parses <paramref name="line"/>. On failure <paramref name="error"/> is set and <paramref name="errorId"/>
    /// is the id to answer with (the request's own id when it could be read and is valid Unicode, else JSON null).
    /// Bytes that are not UTF-8 anywhere in the line are a parse error (RFC 8259 JSON is UTF-8); a string anywhere
    /// that escapes a lone surrogate (<c>"\ud800"</c>) is an invalid request, since it names no Unicode text.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out RpcRequest? request, out RpcError? error, out byte[] errorId)
    {
        request = null;
        error = null;
        errorId = NullId;
        byte[]? id = null;
        var idValid = true;
        var hasId = false;
        string? method = null;
        var methodValid = true;
        byte[]? parameters = null;
        var paramsValid = true;
        var version = false;
        var unicode = true;
        if (!Utf8.IsValid(line))
        {
            error = new RpcError(RpcErrorCodes.ParseError, "Parse error: the line is not valid UTF-8", ReasonWords.ParseError);
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read())
            {
                error = new RpcError(RpcErrorCodes.ParseError, "Parse error: the line holds no JSON value", ReasonWords.ParseError);
                return false;
            }

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                SkipChecked(ref reader);
                EnsureEnd(ref reader);
                error = new RpcError(RpcErrorCodes.InvalidRequest, "Invalid request: batches are not supported; send one request per line", ReasonWords.BatchNotSupported);
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                SkipChecked(ref reader);
                EnsureEnd(ref reader);
                error = new RpcError(RpcErrorCodes.InvalidRequest, "Invalid request: a request is a JSON object", ReasonWords.InvalidRequest);
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!IsUnicode(ref reader))
                {
                    // A member name that is not Unicode names no member we know: its value is skipped.
                    unicode = false;
                    reader.Read();
                    SkipChecked(ref reader);
                    continue;
                }

                if (reader.ValueTextEquals("jsonrpc"u8))
                {
                    reader.Read();
                    version = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("2.0"u8);
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    hasId = true;
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.String or JsonTokenType.Number or JsonTokenType.Null:
                            var start = (int)reader.TokenStartIndex;
                            id = line[start..(int)reader.BytesConsumed].ToArray();
                            idValid = IsUnicode(ref reader);
                            unicode &= idValid;
                            break;
                        default:
                            unicode &= SkipChecked(ref reader);
                            id = null;
                            idValid = false;
                            break;
                    }
                }
                else if (reader.ValueTextEquals("method"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && IsUnicode(ref reader))
                    {
                        method = reader.GetString();
                        methodValid = true;
                    }
                    else
                    {
                        unicode &= reader.TokenType != JsonTokenType.String;
                        unicode &= SkipChecked(ref reader);
                        method = null;
                        methodValid = false;
                    }
                }
                else if (reader.ValueTextEquals("params"u8))
                {
                    reader.Read();
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        var start = (int)reader.TokenStartIndex;
                        unicode &= SkipChecked(ref reader);
                        parameters = line[start..(int)reader.BytesConsumed].ToArray();
                        paramsValid = true;
                    }
                    else
                    {
                        unicode &= SkipChecked(ref reader);
                        parameters = null;
                        paramsValid = reader.TokenType == JsonTokenType.Null;
                    }
                }
                else
                {
                    reader.Read();
                    unicode &= SkipChecked(ref reader);
                }
            }

            EnsureEnd(ref reader);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            error = new RpcError(RpcErrorCodes.ParseError, "Parse error: the line is not valid JSON", ReasonWords.ParseError);
            return false;
        }

        if (idValid && id is not null)
        {
            errorId = id;
        }

        string? problem = null;
        if (!unicode)
        {
            problem = "a string escapes a lone surrogate (\\ud800-\\udfff without its pair), which is not Unicode text";
        }
        else if (!version)
        {
            problem = "\"jsonrpc\" must be \"2.0\"";
        }
        else if (!idValid)
        {
            problem = "\"id\" must be a string or a number";
        }
        else if (method is null)
        {
            problem = methodValid ? "\"method\" is missing" : "\"method\" must be a string";
        }
        else if (!paramsValid)
        {
            problem = "\"params\" must be an object";
        }

        if (problem is not null)
        {
            error = new RpcError(RpcErrorCodes.InvalidRequest, "Invalid request: " + problem, ReasonWords.InvalidRequest);
            return false;
        }

        // A request without an id is a notification (JSON-RPC 2.0): it runs, and is not answered.
        request = new RpcRequest(hasId ? id ?? NullId : null, method!, parameters);
        return true;
    }

    /// <summary>
    /// Reads past the value the reader is on (all of it, for an object or an array) and tells whether every string and
    /// property name in it is Unicode text (no lone surrogate escaped).
    /// </summary>
    private static bool SkipChecked(ref Utf8JsonReader reader)
    {
        var valid = IsUnicode(ref reader);
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return valid;
        }

        var depth = reader.CurrentDepth;
        do
        {
            if (!reader.Read())
            {
                throw new JsonException("unterminated value");
            }

            valid &= IsUnicode(ref reader);
        }
        while (reader.CurrentDepth > depth);

        return valid;
    }

    /// <summary>False for a string or property name whose escapes make a lone surrogate; raw bytes were checked before.</summary>
    private static bool IsUnicode(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped)
        {
            return true;
        }

        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        // Anything but white space after the one JSON value makes the reader throw.
        if (reader.Read())
        {
            throw new JsonException("more than one JSON value on the line");
        }
    }
}
