using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MfaHost.Client;
using MfaHost.Testing;
using MfaHost.Tests.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Tests.Tickets;

/// <summary>One-time tokens, session tokens, tickets and access rules through the real socket.</summary>
public class TicketsThroughSocketTests
{
    private const string TokenInstance = "[plugin]\ntype = test\n[test]\notp = 123456\n[auth]\nallow_one_time_tokens = yes\n";
    private const string NoTokenInstance = "[plugin]\ntype = test\n[test]\notp = 123456\n";

    private static readonly Dictionary<string, string> Instances = new()
    {
        ["tokens"] = TokenInstance,
        ["strict"] = NoTokenInstance,
        ["noop"] = TestPluginHost.Noop,
    };

    private static AuthenticateParams Login(string plugin, string session, string? otp, string user = "alice") =>
        new() { Plugin = plugin, SessionId = session, Username = user, MfaPassword = otp, Protocol = "https" };

    private static async Task<string> CreateTokenAsync(MfaHostClient client, string user = "alice")
    {
        var token = (await client.CallAsync("token_create", new JsonObject { ["username"] = user })).GetProperty("token").GetString()!;
        SuiteLog.RegisterSecret(token, "one-time token");
        return token;
    }

    private static async Task<string?> RefusalAsync(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (MfaHostRpcException e)
        {
            Assert.That(e.Code, Is.EqualTo(-32001), e.Message);
            return e.Reason;
        }
    }

    [Test]
    public async Task A_one_time_token_is_accepted_once_as_mfa_password_then_replayed()
    {
        await using var host = await TestPluginHost.StartAsync(Instances);
        await using var client = await host.CreateClientAsync();
        var token = await CreateTokenAsync(client);

        var first = await client.AuthenticateAsync(Login("tokens", "s1", token));
        var second = await client.AuthenticateAsync(Login("tokens", "s2", token));

        Assert.Multiple(() =>
        {
            Assert.That((first.Verdict, first.Reason), Is.EqualTo(("ACCEPT", "one_time_token")));
            Assert.That((second.Verdict, second.Reason), Is.EqualTo(("DENY", "replayed")));
        });
        AssertNoSecretsLogged(host, token);
    }

    [Test]
    public async Task An_instance_without_allow_one_time_tokens_hands_the_token_to_its_plugin()
    {
        await using var host = await TestPluginHost.StartAsync(Instances);
        await using var client = await host.CreateClientAsync();
        var token = await CreateTokenAsync(client);

        var verdict = await client.AuthenticateAsync(Login("strict", "s1", token));
        var stillValid = await client.AuthenticateAsync(Login("tokens", "s2", token));

        Assert.That((verdict.Verdict, verdict.Reason), Is.EqualTo(("DENY", "authentication_failed")));
        Assert.That(stillValid.Reason, Is.EqualTo("one_time_token"));
    }

    [Test]
    public async Task A_hundred_concurrent_redemptions_of_one_token_give_exactly_one_accept()
    {
        await using var host = await TestPluginHost.StartAsync(Instances);
        await using var admin = await host.CreateClientAsync();
        var token = await CreateTokenAsync(admin);
        var clients = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => host.CreateClientAsync()));
        try
        {
            var verdicts = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => clients[i % 10].AuthenticateAsync(Login("tokens", $"s{i}", token))));
            Assert.That(verdicts.Count(v => v.IsAccept), Is.EqualTo(1));
            Assert.That(verdicts.Where(v => !v.IsAccept).Select(v => v.Reason), Is.All.EqualTo("replayed"));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_restarted_host_refuses_a_token_made_before_the_restart()
    {
        string token;
        await using (var before = await TestPluginHost.StartAsync(Instances))
        {
            await using var client = await before.CreateClientAsync();
            token = await CreateTokenAsync(client);
        }

        await using var after = await TestPluginHost.StartAsync(Instances);
        await using var again = await after.CreateClientAsync();
        var verdict = await again.AuthenticateAsync(Login("tokens", "s1", token));
        Assert.That((verdict.Verdict, verdict.Reason), Is.EqualTo(("DENY", "authentication_failed")));
    }

    [Test]
    public async Task An_accept_carries_a_session_token_that_buys_one_single_use_ticket()
    {
        await using var host = await TestPluginHost.StartAsync(Instances);
        await using var client = await host.CreateClientAsync();
        var accept = await client.AuthenticateAsync(Login("noop", "s1", "1"));
        Assert.That(accept.SessionToken, Is.Not.Null.And.StartsWith("mfas_"));

        var ticket = await client.CallAsync("ticket", new JsonObject { ["session_token"] = accept.SessionToken, ["applid"] = "cicsprod" });
        var value = ticket.GetProperty("ticket").GetString()!;
        var verify = new JsonObject { ["user_id"] = "alice", ["applid"] = "CICSPROD", ["ticket"] = value };
        var first = await client.CallAsync("ticket_verify", verify.DeepClone().AsObject());
        var second = await client.CallAsync("ticket_verify", verify.DeepClone().AsObject());
        var wrong = await client.CallAsync("ticket_verify", new JsonObject { ["user_id"] = "alice", ["applid"] = "CICSPROD", ["ticket"] = "AAAAAAAA" });

        Assert.Multiple(() =>
        {
            Assert.That(ticket.GetProperty("user_id").GetString(), Is.EqualTo("alice"));
            Assert.That(ticket.GetProperty("application_name").GetString(), Is.EqualTo("CICSPROD"));
            Assert.That(value, Does.Match("^[A-Z0-9]{8}$"));
            Assert.That(first.GetRawText(), Is.EqualTo("{\"valid\":true}"));
            Assert.That(second.GetRawText(), Is.EqualTo("{\"valid\":false,\"reason\":\"replayed\"}"));
            Assert.That(wrong.GetProperty("reason").GetString(), Is.EqualTo("unknown"));
        });
        AssertNoSecretsLogged(host, accept.SessionToken!, value);
    }

    [Test]
    public async Task Every_ticket_refusal_reason_is_produced_and_audit_logged()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestPluginHost.StartAsync(Instances, time: time);
        await using var client = await host.CreateClientAsync();
        var token = (await client.AuthenticateAsync(Login("noop", "s1", "1"))).SessionToken!;
        var other = (await client.AuthenticateAsync(Login("noop", "s2", "1"))).SessionToken!;

        async Task<string?> Ticket(string sessionToken, string applid) =>
            await RefusalAsync(() => client.CallAsync("ticket", new JsonObject { ["session_token"] = sessionToken, ["applid"] = applid }));

        Assert.Multiple(async () =>
        {
            Assert.That(await Ticket(token, "BAD-APPL"), Is.EqualTo("applid_invalid"));
            Assert.That(await Ticket("mfas_forged.signature", "IMS1"), Is.EqualTo("token_invalid"));
        });

        await client.SessionEndedAsync("s1");
        Assert.That(await Ticket(token, "IMS1"), Is.EqualTo("token_invalid"), "void after session_ended");

        time.Advance(TimeSpan.FromHours(2));
        Assert.That(await Ticket(other, "IMS1"), Is.EqualTo("token_expired"));
        Assert.That(host.Logs.Count(l => l.Contains("Access refused", StringComparison.Ordinal) && l.Contains("ticket", StringComparison.Ordinal)), Is.EqualTo(4));
        AssertNoSecretsLogged(host, token, other);
    }

    [Test]
    public async Task A_hundred_concurrent_verifies_of_one_ticket_give_exactly_one_valid()
    {
        await using var host = await TestPluginHost.StartAsync(Instances);
        await using var client = await host.CreateClientAsync();
        var token = (await client.AuthenticateAsync(Login("noop", "s1", "1"))).SessionToken!;
        var ticket = (await client.CallAsync("ticket", new JsonObject { ["session_token"] = token, ["applid"] = "IMS1" })).GetProperty("ticket").GetString();

        SuiteLog.RegisterSecret(token, "session token");
        SuiteLog.RegisterSecret(ticket!, "ticket");
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ =>
            client.CallAsync("ticket_verify", new JsonObject { ["user_id"] = "alice", ["applid"] = "IMS1", ["ticket"] = ticket })));

        Assert.That(results.Count(r => r.GetProperty("valid").GetBoolean()), Is.EqualTo(1));
    }

    [Test]
    public async Task The_cli_creates_tokens_and_tickets_and_verifies_them()
    {
        await using var host = await TestPluginHost.StartAsync(Instances);
        var created = await host.RunCliAsync(["token", "create", "--user", "bob", "--ttl", "60", "--config", host.ConfigPath]);
        Assert.That(created.ExitCode, Is.Zero, created.Error);
        var token = created.Output.Split('\n').Single(l => l.StartsWith("token: ", StringComparison.Ordinal))["token: ".Length..].Trim();

        await using var client = await host.CreateClientAsync();
        var verdict = await client.AuthenticateAsync(Login("tokens", "s1", token, "bob"));
        Assert.That(verdict.Reason, Is.EqualTo("one_time_token"));

        var ticket = await host.RunCliAsync(["ticket", "--token", verdict.SessionToken!, "--applid", "ims1", "--socket", host.SocketPath]);
        Assert.That(ticket.ExitCode, Is.Zero, ticket.Error);
        var value = ticket.Output.Split('\n').Single(l => l.StartsWith("ticket: ", StringComparison.Ordinal))["ticket: ".Length..].Trim();
        SuiteLog.RegisterSecret(token, "one-time token");
        SuiteLog.RegisterSecret(verdict.SessionToken!, "session token");
        SuiteLog.RegisterSecret(value, "ticket");
        var valid = await host.RunCliAsync(["ticket", "verify", "--user", "bob", "--applid", "IMS1", "--ticket", value, "--socket", host.SocketPath]);
        var replayed = await host.RunCliAsync(["ticket", "verify", "--user", "bob", "--applid", "IMS1", "--ticket", value, "--socket", host.SocketPath]);
        var refused = await host.RunCliAsync(["ticket", "--token", "mfas_x.y", "--applid", "IMS1", "--socket", host.SocketPath]);
        Assert.Multiple(() =>
        {
            Assert.That((valid.ExitCode, valid.Output.Trim()), Is.EqualTo((0, "valid")));
            Assert.That((replayed.ExitCode, replayed.Output.Trim()), Is.EqualTo((1, "not valid: replayed")));
            Assert.That(refused.ExitCode, Is.EqualTo(1));
            Assert.That(refused.Error, Does.Contain("token_invalid"));
        });
    }

    [Test]
    public async Task A_caller_with_another_uid_is_refused_unless_access_lists_it()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv") || !File.Exists("/usr/bin/python3"))
        {
            Assert.Ignore("needs root, setpriv and python3 to call from another uid");
        }

        // Socket mode 0666 so that 'nobody' can connect at all; [access] decides what it may call.
        const string hostLines = "socket_mode = 0666\n[access]\ngateway_uids = 65534\n";
        await using var host = await TestPluginHost.StartAsync(Instances, hostLines);
        Directory.CreateDirectory(Path.GetDirectoryName(host.SocketPath)!);
        File.SetUnixFileMode(Path.GetDirectoryName(host.SocketPath)!, (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetUnixFileMode(Path.GetDirectoryName(Path.GetDirectoryName(host.SocketPath)!)!, (UnixFileMode)Convert.ToInt32("755", 8));

        var health = await CallAsNobodyAsync(host.SocketPath, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"}");
        var token = await CallAsNobodyAsync(host.SocketPath, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"token_create\",\"params\":{\"username\":\"alice\"}}");
        var ticket = await CallAsNobodyAsync(host.SocketPath, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ticket\",\"params\":{\"session_token\":\"x\",\"applid\":\"A\"}}");
        var admin = await CallAsNobodyAsync(host.SocketPath, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"admin\",\"params\":{\"instance\":\"x\",\"operation\":\"list\"}}");

        Assert.Multiple(() =>
        {
            Assert.That(health.RootElement.GetProperty("result").GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(token.RootElement.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(-32001));
            Assert.That(token.RootElement.GetProperty("error").GetProperty("data").GetProperty("reason").GetString(), Is.EqualTo("caller_not_authorized"));
            Assert.That(ticket.RootElement.GetProperty("error").GetProperty("data").GetProperty("reason").GetString(), Is.EqualTo("caller_not_authorized"));
            Assert.That(admin.RootElement.GetProperty("error").GetProperty("data").GetProperty("reason").GetString(), Is.EqualTo("caller_not_authorized"));
            Assert.That(host.Logs, Has.Some.Contains("uid 65534").And.Contains("token_create").And.Contains("caller_not_authorized"));
        });
    }

    private static async Task<JsonDocument> CallAsNobodyAsync(string socketPath, string line)
    {
        const string script = "import socket,sys\ns=socket.socket(socket.AF_UNIX);s.connect(sys.argv[1]);s.sendall(sys.argv[2].encode()+b'\\n')\nb=b''\nwhile not b.endswith(b'\\n'):\n  c=s.recv(65536)\n  if not c: break\n  b+=c\nsys.stdout.write(b.decode())\n";
        var start = new ProcessStartInfo("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, socketPath, line])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, error);
        return JsonDocument.Parse(output);
    }

    private static void AssertNoSecretsLogged(RunningHost host, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            SuiteLog.RegisterSecret(secret, "token or ticket");
            Assert.That(host.Logs, Has.None.Contains(secret), "a secret reached the log");
        }
    }
}
