using System.Text.Json;
using System.Text.Json.Nodes;
using MfaHost.Client;
using MfaHost.Testing;
using MfaHost.Tests.Protocol;

namespace MfaHost.Tests.Audit;

/// <summary>
/// The audit trail of a real host: every decision and admin action made through the socket is one line, no secret
/// the test used is in the file, and <c>mfahost audit verify</c> passes on it and fails, naming the line, on a copy
/// with one line edited, removed or reordered.
/// </summary>
[TestFixture]
public sealed class AuditThroughSocketTests
{
    private const string Code = "739164";
    private const string WrongCode = "582047";
    private const string Password = "primary-Pa55w0rd-q7";
    private const string AuditKey = "audit-key-for-tests-3f9c2a7d51e84b06b9d2e6a1c4f8";

    private TempDirectory _secrets = null!;
    private RunningHost _host = null!;
    private readonly List<string> _secretsUsed = [Code, WrongCode, Password, AuditKey];
    private readonly List<(string Method, string SessionOrUser, string Verdict)> _expected = [];
    private string[] _lines = [];

    private string AuditFile => Path.Combine(_host.Directory, "config", "data", "audit.jsonl");

    [OneTimeSetUp]
    public async Task MakeDecisionsAndAdminActions()
    {
        foreach (var secret in _secretsUsed)
        {
            SuiteLog.RegisterSecret(secret, "audit test secret");
        }

        _secrets = new TempDirectory();
        var credentials = _secrets.Write("credentials.ini", $"[audit]\nkey = {AuditKey}\n");
        File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _host = await TestPluginHost.StartAsync(
            new Dictionary<string, string>
            {
                ["tokens"] = $"[plugin]\ntype = test\n[test]\notp = {Code}\n[auth]\nallow_one_time_tokens = yes\n",
                ["noop"] = TestPluginHost.Noop,
            },
            $"credentials_file = {credentials}\n[audit]\nkey = $\n");
        await using var client = await _host.CreateClientAsync();

        async Task<AuthenticateResult> Authenticate(AuthenticateParams p)
        {
            var result = await client.AuthenticateAsync(p);
            _expected.Add(("authenticate", p.SessionId, result.Verdict));
            if (result.SessionToken is { } token)
            {
                _secretsUsed.Add(token);
                SuiteLog.RegisterSecret(token, "session token");
            }

            return result;
        }

        await Authenticate(new() { Plugin = "tokens", SessionId = "wrong-1", Username = "alice", MfaPassword = WrongCode, Password = Password, ClientIp = "10.1.2.3", Protocol = "https" });
        var question = new AuthenticateParams { Plugin = "tokens", SessionId = "asked-1", Username = "alice", Password = Password, Protocol = "ssh" };
        await Authenticate(question);
        var accepted = await Authenticate(question.WithAnswer(Code));

        var token = (await client.CallAsync("token_create", new JsonObject { ["username"] = "bob" })).GetProperty("token").GetString()!;
        _secretsUsed.Add(token);
        SuiteLog.RegisterSecret(token, "one-time token");
        _expected.Add(("token_create", "bob", "OK"));
        await Authenticate(new() { Plugin = "tokens", SessionId = "token-1", Username = "bob", MfaPassword = token, Protocol = "https" });

        var ticket = (await client.CallAsync("ticket", new JsonObject { ["session_token"] = accepted.SessionToken, ["applid"] = "cicsprod" })).GetProperty("ticket").GetString()!;
        _secretsUsed.Add(ticket);
        SuiteLog.RegisterSecret(ticket, "ticket");
        _expected.Add(("ticket", "alice", "OK"));
        await client.CallAsync("ticket_verify", new JsonObject { ["user_id"] = "alice", ["applid"] = "CICSPROD", ["ticket"] = ticket });
        _expected.Add(("ticket_verify", "alice", "OK"));
        await client.CallAsync("ticket_verify", new JsonObject { ["user_id"] = "alice", ["applid"] = "CICSPROD", ["ticket"] = ticket });
        _expected.Add(("ticket_verify", "alice", "REFUSED"));

        // Not decisions and not admin actions: no line.
        await client.PluginsAsync();
        await client.HealthAsync();

        // Stopping drains the trail's queue into the file.
        await _host.StopAsync();
        _lines = File.ReadAllLines(AuditFile);
    }

    [OneTimeTearDown]
    public async Task RemoveHost()
    {
        await _host.DisposeAsync();
        _secrets.Dispose();
    }

    [Test]
    public void Every_decision_and_admin_action_is_one_line_in_order()
    {
        var records = _lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var seen = records.Select(r => (
            r.GetProperty("method").GetString()!,
            r.GetProperty("method").GetString() == "authenticate" ? r.GetProperty("session_id").GetString()! : r.GetProperty("username").GetString()!,
            r.GetProperty("verdict").GetString()!)).ToList();
        Assert.That(seen, Is.EqualTo(_expected));
    }

    [Test]
    public void A_decision_line_has_every_field_the_issue_lists()
    {
        var wrong = JsonDocument.Parse(_lines[0]).RootElement;
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "seq", "time", "host", "generation", "event", "caller_uid", "caller_pid", "method", "plugin", "plugin_type", "username", "mfa_identity", "client_ip", "protocol", "session_id", "verdict", "reason", "latency_ms", "prev", "mac" })
            {
                Assert.That(wrong.TryGetProperty(field, out _), Is.True, field);
            }

            Assert.That(wrong.GetProperty("plugin_type").GetString(), Is.EqualTo("test"));
            Assert.That(wrong.GetProperty("reason").GetString(), Is.EqualTo("authentication_failed"));
            Assert.That(wrong.GetProperty("caller_uid").GetUInt32(), Is.EqualTo(GetUid()));
            Assert.That(wrong.GetProperty("time").GetString(), Does.EndWith("Z"));
        });
    }

    [Test]
    public void No_secret_the_test_used_is_in_the_file()
    {
        var text = File.ReadAllText(AuditFile);
        foreach (var secret in _secretsUsed)
        {
            Assert.That(text, Does.Not.Contain(secret), "a secret reached the audit file");
        }
    }

    [Test]
    public async Task Verify_passes_on_the_file()
    {
        var result = await _host.RunCliAsync(["audit", "verify", AuditFile]);
        Assert.That((result.ExitCode, result.Output), Is.EqualTo((0, $"ok: {_lines.Length} line(s), sequence 1 to {_lines.Length}, chain intact\n")), result.Error);
    }

    [Test]
    public async Task Verify_without_a_file_checks_the_configured_one()
    {
        var result = await _host.RunCliAsync(["audit", "verify"]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
    }

    [Test]
    public async Task Verify_names_an_edited_line()
    {
        var lines = _lines.ToArray();
        lines[2] = lines[2].Replace("\"alice\"", "\"mallory\"", StringComparison.Ordinal);
        Assert.That(lines[2], Is.Not.EqualTo(_lines[2]));
        var result = await VerifyCopyAsync(lines);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Error, Does.Contain(".jsonl:3: the line was altered"));
        });
    }

    [Test]
    public async Task Verify_names_the_line_after_a_removed_one()
    {
        var result = await VerifyCopyAsync([.. _lines.Take(2), .. _lines.Skip(3)]);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Error, Does.Contain(".jsonl:3: 1 line(s) missing before this one (sequence jumps from 2 to 4)"));
        });
    }

    [Test]
    public async Task Verify_names_a_reordered_line()
    {
        var result = await VerifyCopyAsync([_lines[0], _lines[2], _lines[1], .. _lines.Skip(3)]);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Error, Does.Contain(".jsonl:2: the line is out of order: sequence 3 where 2 was expected (sequence 2 is on line 3)"));
        });
    }

    [Test]
    public async Task Verify_with_another_key_fails_at_the_first_line()
    {
        var other = _secrets.Write("other-credentials.ini", "[audit]\nkey = another-audit-key-with-enough-bytes-0123456789\n");
        File.SetUnixFileMode(other, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = File.ReadAllText(_host.ConfigPath).Replace(Path.Combine(_secrets.Path, "credentials.ini"), other, StringComparison.Ordinal);
        var otherConfig = _secrets.Write("other.ini", config);
        var result = await _host.RunCliAsync(["audit", "verify", "--config", otherConfig, AuditFile]);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Error, Does.Contain(".jsonl:1: the line was altered"));
        });
    }

    [Test]
    public async Task Verify_of_a_missing_file_is_a_usage_error()
    {
        var result = await _host.RunCliAsync(["audit", "verify", Path.Combine(_secrets.Path, "nope.jsonl")]);
        Assert.That((result.ExitCode, result.Error), Is.EqualTo((2, $"error: {Path.Combine(_secrets.Path, "nope.jsonl")}: no such file\n")));
    }

    private async Task<CliResult> VerifyCopyAsync(IEnumerable<string> lines)
    {
        var copy = Path.Combine(_secrets.Path, $"copy-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(copy, lines);
        return await _host.RunCliAsync(["audit", "verify", copy]);
    }

    private static uint GetUid() => uint.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
