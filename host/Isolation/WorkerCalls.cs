using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MfaHost.Rpc;

namespace MfaHost.Isolation;

/// <summary>Decoding the params of a worker protocol call, both ways.</summary>
internal static class WorkerCalls
{
    /// <summary>The call's params as <typeparamref name="T"/>; a missing or wrong shape is -32602.</summary>
    public static T Read<T>(RpcRequest request, JsonTypeInfo<T> type)
    {
        try
        {
            return (request.Params is { } json ? JsonSerializer.Deserialize(json, type) : default)
                ?? throw new RpcException(RpcErrorCodes.InvalidParams, "Invalid params", ReasonWords.InvalidParams);
        }
        catch (JsonException)
        {
            throw new RpcException(RpcErrorCodes.InvalidParams, "Invalid params", ReasonWords.InvalidParams);
        }
    }
}
