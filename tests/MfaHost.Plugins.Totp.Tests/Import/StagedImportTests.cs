using System.Text.Json.Nodes;
using MfaHost.PluginSdk;
using OtpNet;

namespace MfaHost.Plugins.Totp.Tests.Import;

/// <summary>The plugin's <c>import</c> and <c>import-finish</c> operations called directly: staging, batches, idle imports dropped.</summary>
public class StagedImportTests
{
    private TotpPluginHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new TotpPluginHarness();

    [TearDown]
    public void TearDown() => _harness.Dispose();

    private static string Uris(int from, int count) =>
        string.Join('\n', Enumerable.Range(from, count).Select(i => $"otpauth://totp/u{i}?secret={Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20))}"));

    private async Task<JsonNode> CallAsync(string operation, JsonObject arguments) =>
        (await _harness.Client.ExecuteAdminAsync(operation, arguments, default))!;

    [Test]
    public async Task Parts_are_staged_without_writing_and_finished_in_batches()
    {
        var first = await CallAsync("import", new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["file"] = "k", ["text"] = Uris(0, 30) }) });
        var id = first["import"]!.GetValue<string>();
        var second = await CallAsync("import", new JsonObject { ["import"] = id, ["parts"] = new JsonArray(new JsonObject { ["file"] = "k", ["first_line"] = 31, ["text"] = Uris(30, 20) }) });
        Assert.That(first["format"]!.GetValue<string>(), Is.EqualTo("uri"), "recognised from the first line");
        Assert.That(second["staged"]!.GetValue<int>(), Is.EqualTo(50));
        Assert.That(await _harness.Enrollments().ListAsync(default), Is.Empty, "staging writes nothing");

        var batches = new List<JsonNode>();
        do
        {
            batches.Add(await CallAsync("import-finish", new JsonObject { ["import"] = id, ["batch"] = 20 }));
        }
        while (!batches[^1]["finished"]!.GetValue<bool>());

        Assert.That(batches.Select(b => b["done"]!.GetValue<int>()), Is.EqualTo(new[] { 20, 40, 50 }));
        Assert.That(await _harness.Enrollments().ListAsync(default), Has.Count.EqualTo(50));
        Assert.ThrowsAsync<MfaAdminException>(() => CallAsync("import-finish", new JsonObject { ["import"] = id }), "a finished import is gone");
    }

    [Test]
    public async Task An_import_idle_for_fifteen_minutes_is_dropped()
    {
        var staged = await CallAsync("import", new JsonObject { ["format"] = "uri", ["parts"] = new JsonArray(new JsonObject { ["file"] = "k", ["text"] = Uris(0, 3) }) });

        _harness.Time.Advance(TimeSpan.FromMinutes(16));

        var error = Assert.ThrowsAsync<MfaAdminException>(() => CallAsync("import-finish", new JsonObject { ["import"] = staged["import"]!.DeepClone() }));
        Assert.That(error!.Message, Does.Contain("idle for 15 minutes"));
        Assert.That(await _harness.Enrollments().ListAsync(default), Is.Empty);
    }

    [Test]
    public async Task At_most_eight_imports_are_open_at_once()
    {
        for (var i = 0; i < 8; i++)
        {
            await CallAsync("import", new JsonObject { ["format"] = "csv", ["parts"] = new JsonArray() });
        }

        var error = Assert.ThrowsAsync<MfaAdminException>(() => CallAsync("import", new JsonObject { ["format"] = "csv", ["parts"] = new JsonArray() }));
        Assert.That(error!.Message, Does.Contain("8 imports are already in progress"));
    }
}
