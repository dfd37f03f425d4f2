using System.Text.Json;
using MfaHost.Tests.Protocol;

namespace MfaHost.Tests.Audit;

/// <summary>The trail and the <c>reload</c> method: external rotation (rename, then reload), the reload's own line, the generation.</summary>
public sealed class AuditReloadTests
{
    [Test]
    public async Task A_reload_reopens_the_file_writes_its_own_line_and_later_decisions_carry_the_new_generation()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string> { ["noop"] = TestPluginHost.Noop });
        await using var client = await host.CreateClientAsync();
        var file = Path.Combine(host.Directory, "config", "data", "audit.jsonl");
        await client.AuthenticateAsync(new() { Plugin = "noop", SessionId = "before", Username = "alice" });
        await AuditTrailTests.WaitForLinesAsync(file, 1);

        File.Move(file, file + ".1");
        await client.CallAsync("reload");
        await client.AuthenticateAsync(new() { Plugin = "noop", SessionId = "after", Username = "alice" });
        await host.StopAsync();
        Assert.That(File.Exists(file), Is.True, string.Join("\n", host.Logs.Where(l => l.Contains("udit", StringComparison.Ordinal) || l.Contains("eload", StringComparison.Ordinal))));

        var rotated = File.ReadAllLines(file + ".1").Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var current = File.ReadAllLines(file).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var both = await host.RunCliAsync(["audit", "verify", file + ".1", file]);
        Assert.Multiple(() =>
        {
            Assert.That(rotated.Select(r => r.GetProperty("session_id").GetString()), Is.EqualTo(new[] { "before" }));
            Assert.That(rotated[0].GetProperty("generation").GetInt64(), Is.EqualTo(1));
            Assert.That(current, Has.Count.EqualTo(2));
            Assert.That(current[0].GetProperty("method").GetString(), Is.EqualTo("reload"));
            Assert.That(current[0].GetProperty("verdict").GetString(), Is.EqualTo("OK"));
            Assert.That(current[0].GetProperty("detail").GetString(), Does.StartWith("reload method (uid ").And.EndWith("; generation 2"));
            Assert.That(current[1].GetProperty("session_id").GetString(), Is.EqualTo("after"));
            Assert.That(current[1].GetProperty("generation").GetInt64(), Is.EqualTo(2));
            Assert.That((both.ExitCode, both.Output), Is.EqualTo((0, "ok: 3 line(s), sequence 1 to 3, chain intact\n")), both.Error);
        });
    }
}
