using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using MfaHost.Protocol.Methods;
using ClientSide = MfaHost.Client;

namespace MfaHost.Tests.Client;

/// <summary>
/// The client (<c>client/</c>) and the host keep their own records of the wire: this proves them equal, field by
/// field and kind by kind, for every method the client speaks, through each side's own JSON metadata.
/// </summary>
public sealed class WireRecordTests
{
    private static readonly JsonSerializerContext ClientContext = (JsonSerializerContext)typeof(ClientSide.MfaHostClient).Assembly
        .GetType("MfaHost.Client.ClientJsonContext", throwOnError: true)!
        .GetProperty("Default")!.GetValue(null)!;

    private static IEnumerable<TestCaseData> Pairs()
    {
        var client = typeof(ClientSide.MfaHostClient).Assembly;
        yield return Pair("authenticate params", typeof(ClientSide.AuthenticateParams), typeof(AuthenticateParams));
        yield return Pair("authenticate result", typeof(ClientSide.AuthenticateResult), typeof(AuthenticateResult));
        yield return Pair("session_ended params", client.GetType("MfaHost.Client.SessionEndedParams", true)!, typeof(SessionEndedParams));
        yield return Pair("session_ended result", client.GetType("MfaHost.Client.SessionEndedResult", true)!, typeof(SessionEndedResult));
        yield return Pair("plugins result", client.GetType("MfaHost.Client.PluginsResult", true)!, typeof(PluginsResult));
        yield return Pair("health result", typeof(ClientSide.HealthResult), typeof(HealthResult));
    }

    private static TestCaseData Pair(string name, Type clientType, Type hostType) =>
        new TestCaseData(clientType, hostType).SetArgDisplayNames(name);

    [TestCaseSource(nameof(Pairs))]
    public void The_client_and_the_host_write_and_read_the_same_fields(Type clientType, Type hostType)
    {
        var clientShape = Shape(ClientContext, clientType);
        var hostShape = Shape(GatewayJsonContext.Default, hostType);

        Assert.That(clientShape, Is.EqualTo(hostShape));
    }

    [Test]
    public void A_field_the_client_lacks_is_found()
    {
        // The shape of the host's plugins entry against the client's health result: must differ, and name the fields.
        var plugins = Shape(GatewayJsonContext.Default, typeof(PluginsResult));
        var health = Shape(ClientContext, typeof(ClientSide.HealthResult));

        Assert.That(plugins, Is.Not.EqualTo(health));
        Assert.That(plugins, Does.Contain("limits: object {").And.Contain("locked_out: number"));
    }

    /// <summary>One line per field: <c>name: kind</c>, nested objects inline, sorted by name.</summary>
    private static string Shape(JsonSerializerContext context, Type type) => Describe(context, type, depth: 0);

    private static string Describe(JsonSerializerContext context, Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type == typeof(DateTimeOffset))
        {
            return type == typeof(string) ? "string" : "string (date-time)";
        }

        if (type == typeof(bool))
        {
            return "boolean";
        }

        if (type.IsPrimitive || type == typeof(decimal))
        {
            return "number";
        }

        Assert.That(depth, Is.LessThan(5), $"{type} nests too deep");
        var info = context.GetTypeInfo(type) ?? throw new AssertionException($"{context.GetType().Name} has no metadata for {type}");
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "array of " + Describe(context, info.ElementType!, depth + 1),
            JsonTypeInfoKind.Dictionary => "map of " + Describe(context, info.ElementType!, depth + 1),
            JsonTypeInfoKind.Object => "object { " + string.Join(", ", info.Properties
                .Where(p => p.Get is not null || p.Set is not null) // [JsonIgnore] leaves neither
                .OrderBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => $"{p.Name}: {Describe(context, p.PropertyType, depth + 1)}")) + " }",
            _ => type.FullName ?? type.Name,
        };
    }
}
