using System.Text.Json.Nodes;

namespace MfaHost.PluginSdk.Tests;

/// <summary>The SDK's administrative operations: only the names a plugin offers reach it.</summary>
public class MfaClientAdminTests
{
    private sealed class NoAdminClient() : MfaClient(MfaClientTests.Context(), "Plain");

    private sealed class EchoClient() : MfaClient(MfaClientTests.Context(), "Echo")
    {
        public List<string> Calls { get; } = [];

        public override IReadOnlyList<MfaAdminOperation> AdminOperations { get; } = [new("echo", "Returns its arguments")];

        protected override ValueTask<JsonNode?> AdminAsync(string operation, JsonObject arguments, CancellationToken cancellationToken)
        {
            Calls.Add(operation);
            return ValueTask.FromResult<JsonNode?>(new JsonObject { ["echo"] = arguments.DeepClone() });
        }
    }

    [Test]
    public async Task An_offered_operation_reaches_the_plugin_with_its_arguments()
    {
        var client = new EchoClient();

        var result = await client.ExecuteAdminAsync("echo", new JsonObject { ["x"] = 1 }, CancellationToken.None);

        Assert.That(client.Calls, Is.EqualTo(new[] { "echo" }));
        Assert.That(result!["echo"]!["x"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public void An_operation_not_offered_is_refused_without_calling_the_plugin_naming_what_is_offered()
    {
        var client = new EchoClient();

        var error = Assert.ThrowsAsync<MfaAdminException>(() => client.ExecuteAdminAsync("ECHO", [], CancellationToken.None));

        Assert.That(error!.Kind, Is.EqualTo(MfaAdminErrorKind.UnknownOperation));
        Assert.That(error.Message, Does.Contain("'ECHO'").And.Contain("it offers: echo"));
        Assert.That(client.Calls, Is.Empty);
    }

    [Test]
    public void A_plugin_without_operations_offers_none()
    {
        var client = new NoAdminClient();

        Assert.That(client.AdminOperations, Is.Empty);
        var error = Assert.ThrowsAsync<MfaAdminException>(() => client.ExecuteAdminAsync("list", [], CancellationToken.None));
        Assert.That(error!.Message, Does.Contain("it offers: none"));
    }
}
