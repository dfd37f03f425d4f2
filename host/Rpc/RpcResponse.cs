using System.Text.Json;

namespace MfaHost.Rpc;

/// <summary>One answer waiting to be written: a result or an error, with the request's id as sent.</summary>
internal sealed class RpcResponse
{
    private RpcResponse(byte[] id, RpcResult? result, RpcError? error)
    {
        Id = id;
        Result = result;
        Error = error;
    }

    public byte[] Id { get; }

    public RpcResult? Result { get; }

    public RpcError? Error { get; }

    public static RpcResponse Success(byte[] id, RpcResult result) => new(id, result, null);

    public static RpcResponse Failure(byte[] id, RpcError error) => new(id, null, error);

    /// <summary>Writes the response object (without the line feed).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc"u8, "2.0"u8);
        writer.WritePropertyName("id"u8);
        writer.WriteRawValue(Id, skipInputValidation: true);
        if (Error is { } error)
        {
            writer.WritePropertyName("error"u8);
            writer.WriteStartObject();
            writer.WriteNumber("code"u8, error.Code);
            writer.WriteString("message"u8, error.Message);
            writer.WritePropertyName("data"u8);
            writer.WriteStartObject();
            writer.WriteString("reason"u8, error.Reason);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        else
        {
            writer.WritePropertyName("result"u8);
            Result!.WriteTo(writer);
        }

        writer.WriteEndObject();
    }
}
