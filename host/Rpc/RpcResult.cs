using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MfaHost.Rpc;

/// <summary>A method's successful answer, written with its source-generated JSON metadata (no reflection).</summary>
internal abstract class RpcResult
{
    public static RpcResult Of<T>(T value, JsonTypeInfo<T> typeInfo) => new Typed<T>(value, typeInfo);

    public abstract void WriteTo(Utf8JsonWriter writer);

    private sealed class Typed<T>(T value, JsonTypeInfo<T> typeInfo) : RpcResult
    {
        public override void WriteTo(Utf8JsonWriter writer) => JsonSerializer.Serialize(writer, value, typeInfo);
    }
}
