using System.Text.Json.Nodes;
using MfaHost.Client;

namespace MfaHost.Plugins.Totp.Tests.Socket;

/// <summary>The totp plugin's administrative operations through the host's <c>admin</c> method on the real socket.</summary>
public sealed partial class TotpSocketTests
{
    private static JsonObject Admin(string operation, JsonObject? arguments = null, string instance = Instance) =>
        new() { ["instance"] = instance, ["operation"] = operation, ["arguments"] = arguments ?? [] };

    [Test]
    public async Task The_admin_method_enrolls_lists_and_removes_with_json_results()
    {
        await using var client = await _host.CreateClientAsync();

        var enrolled = await client.CallAsync("admin", Admin("enroll", new JsonObject { ["user"] = "alice", ["no_confirm"] = true }));
        var listed = await client.CallAsync("admin", Admin("list"));
        var removed = await client.CallAsync("admin", Admin("remove", new JsonObject { ["user"] = "alice" }));

        var result = enrolled.GetProperty("result");
        Assert.That(enrolled.GetProperty("instance").GetString(), Is.EqualTo(Instance));
        Assert.That(result.GetProperty("uri").GetString(), Does.StartWith("otpauth://totp/MfaHost:alice?secret="));
        Assert.That(result.GetProperty("scratch_codes").GetArrayLength(), Is.EqualTo(10));
        var row = listed.GetProperty("result").GetProperty("enrollments")[0];
        Assert.That(row.GetProperty("user").GetString(), Is.EqualTo("alice"));
        Assert.That(row.GetProperty("scratch_codes_left").GetInt32(), Is.EqualTo(10));
        Assert.That(row.TryGetProperty("secret", out _), Is.False, "list never shows secrets");
        Assert.That(removed.GetProperty("result").GetProperty("removed").GetBoolean(), Is.True);
        Assert.That(_host.Logs, Has.Some.Contains("administrative operation 'enroll' done"));
        var secret = SecretInUri().Match(result.GetProperty("uri").GetString()!).Groups[1].Value;
        Assert.That(_host.Logs, Has.None.Contains(secret), "the seed reached the host log");

        // Each operation is one admin line of the audit trail (written in the background: poll), without its result.
        var audit = Path.Combine(_data.Path, "audit.jsonl");
        string[] Operations() => File.Exists(audit)
            ? File.ReadAllLines(audit).Where(l => l.Contains("\"admin_operation\"", StringComparison.Ordinal)).ToArray()
            : [];
        Assert.That(() => Operations().Length, Is.GreaterThanOrEqualTo(3).After(10_000, 20));
        var lines = Operations();
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Some.Contains("\"operation enroll\"").And.Contains("\"username\":\"alice\"").And.Contains("\"plugin_type\":\"totp\""));
            Assert.That(lines, Has.Some.Contains("\"operation remove\"").And.Contains("\"verdict\":\"OK\""));
            Assert.That(File.ReadAllText(audit), Does.Not.Contain(secret), "the seed reached the audit trail");
            foreach (var code in result.GetProperty("scratch_codes").EnumerateArray())
            {
                Assert.That(File.ReadAllText(audit), Does.Not.Contain(code.GetString()!), "a scratch code reached the audit trail");
            }
        });
    }

    [TestCase("nope", "list", null, -32602, "unknown_plugin")]
    [TestCase(Instance, "format_disk", null, -32602, "unknown_operation")]
    [TestCase(Instance, "enroll", "{\"user\":\"a:b\"}", -32602, "invalid_arguments")]
    [TestCase(Instance, "remove", "{\"user\":42}", -32602, "invalid_arguments")]
    [TestCase(Instance, "remove", "{\"user\":\"nobody\"}", -32003, "operation_refused")]
    public async Task The_admin_method_answers_errors_with_a_reason(string instance, string operation, string? arguments, int code, string reason)
    {
        await using var client = await _host.CreateClientAsync();

        var error = Assert.ThrowsAsync<MfaHostRpcException>(() =>
            client.CallAsync("admin", Admin(operation, arguments is null ? null : JsonNode.Parse(arguments)!.AsObject(), instance)));

        Assert.That(error!.Code, Is.EqualTo(code), error.Message);
        Assert.That(error.Reason, Is.EqualTo(reason), error.Message);
    }

    [Test]
    public async Task Enrolling_twice_is_refused_and_the_cli_says_how_to_replace()
    {
        await EnrollAsync("alice");

        var again = await _host.RunCliAsync(["totp", "enroll", "alice"]);

        Assert.That(again.ExitCode, Is.EqualTo(1));
        Assert.That(again.Error, Does.Contain("alice is already enrolled in instance 'totp'").And.Contain("--force"));
    }
}
