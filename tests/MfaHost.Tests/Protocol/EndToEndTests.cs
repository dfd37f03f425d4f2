using MfaHost.Client;
using MfaHost.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Tests.Protocol;

/// <summary>Gateway → socket → pipeline → plugin and back, with the test plugins.</summary>
public class EndToEndTests
{
    private static AuthenticateParams Params(string plugin, string session = "s1", string? otp = null) =>
        new() { Plugin = plugin, SessionId = session, Username = "alice", MfaPassword = otp };

    [Test]
    public async Task The_noop_plugin_accepts_push_and_otp()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string> { ["noop"] = TestPluginHost.Noop });
        await using var client = await host.CreateClientAsync();

        var push = await client.AuthenticateAsync(Params("noop"));
        var otp = await client.AuthenticateAsync(Params("noop", "s2", "123456"));

        Assert.Multiple(() =>
        {
            Assert.That(push.Verdict, Is.EqualTo("ACCEPT"));
            Assert.That(push.Reason, Is.EqualTo("accepted"));
            Assert.That(push.MfaIdentity, Is.EqualTo("alice"));
            Assert.That(otp.IsAccept, Is.True);
        });
    }

    [TestCase("auth", "authentication_failed")]
    [TestCase("communication", "communication_error")]
    [TestCase("unreachable", "service_unreachable")]
    [TestCase("crash", "plugin_error")]
    public async Task A_plugin_failure_is_a_deny_with_its_reason_and_the_host_keeps_serving(string failure, string reason)
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string>
        {
            ["failing"] = TestPluginHost.Scripted($"throw = {failure}"),
            ["noop"] = TestPluginHost.Noop,
        });
        await using var client = await host.CreateClientAsync();

        var denied = await client.AuthenticateAsync(Params("failing"));
        var next = await client.AuthenticateAsync(Params("noop", "s2"));

        Assert.Multiple(() =>
        {
            Assert.That(denied.Verdict, Is.EqualTo("DENY"));
            Assert.That(denied.Reason, Is.EqualTo(reason));
            Assert.That(next.IsAccept, Is.True);
        });
        if (failure == "crash")
        {
            Assert.That(host.Logs, Has.Some.Contains("the test plugin crashed").And.Some.Contains(" at TestPlugins.Scripted.ScriptedClient"), "logged with its stack");
        }
    }

    [Test]
    public async Task An_unknown_plugin_is_invalid_params_unknown_plugin()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string> { ["noop"] = TestPluginHost.Noop });
        await using var client = await host.CreateClientAsync();

        var error = Assert.ThrowsAsync<MfaHostRpcException>(() => client.AuthenticateAsync(Params("ghost")));

        Assert.That(error!.Code, Is.EqualTo(-32602));
        Assert.That(error.Reason, Is.EqualTo("unknown_plugin"));
    }

    [Test]
    public async Task Plugins_lists_loaded_and_failed_instances()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string>
        {
            ["noop"] = TestPluginHost.Noop,
            ["scripted"] = TestPluginHost.Scripted("outcome = accept"),
            ["ghost"] = "[plugin]\ntype = nonesuch\n",
        });
        await using var client = await host.CreateClientAsync();

        var plugins = (await client.PluginsAsync()).ToDictionary(p => p.Name);

        Assert.Multiple(() =>
        {
            Assert.That(plugins["noop"].Type, Is.EqualTo("noop"));
            Assert.That(plugins["noop"].Version, Is.EqualTo("1.0.0"));
            Assert.That(plugins["noop"].Capabilities, Is.EqualTo(new[] { "push", "otp" }));
            Assert.That(plugins["noop"].Status, Is.EqualTo("loaded"));
            Assert.That(plugins["noop"].Error, Is.Null);
            Assert.That(plugins["scripted"].Type, Is.EqualTo("test"));
            Assert.That(plugins["ghost"].Status, Is.EqualTo("failed"));
            Assert.That(plugins["ghost"].Error, Does.Contain("nonesuch"));
        });
        var health = await client.HealthAsync();
        Assert.That(health.PluginsLoaded, Is.EqualTo(2));
    }

    [Test]
    public async Task Closing_the_connection_cancels_the_plugins_token()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string> { ["slow"] = TestPluginHost.Scripted("delay = 3600") });
        var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);
        await gateway.SendLineAsync("""{"jsonrpc":"2.0","id":1,"method":"authenticate","params":{"plugin":"slow","session_id":"c1","username":"alice"}}""");
        await host.LogCapture.WaitForAsync(l => l.Contains("test plugin slow: started for session c1", StringComparison.Ordinal));

        await gateway.DisposeAsync();

        Assert.That(await host.LogCapture.WaitForAsync(l => l.Contains("test plugin slow: token cancelled for session c1", StringComparison.Ordinal)), Is.Not.Null);
    }

    [Test]
    public async Task A_plugin_that_hangs_ignoring_cancellation_is_denied_with_timeout_and_others_are_served_meanwhile()
    {
        var time = new FakeTimeProvider();
        await using var host = await TestPluginHost.StartAsync(
            new Dictionary<string, string>
            {
                ["hung"] = TestPluginHost.Scripted("delay = 3600\nignore_cancellation = yes"),
                ["noop"] = TestPluginHost.Noop,
            },
            "request_timeout = 20",
            time);
        await using var client = await host.CreateClientAsync();

        var hung = client.AuthenticateAsync(Params("hung", "h1"));
        await host.LogCapture.WaitForAsync(l => l.Contains("test plugin hung: started for session h1", StringComparison.Ordinal));
        var meanwhile = await client.AuthenticateAsync(Params("noop", "n1"));
        time.Advance(TimeSpan.FromSeconds(20));
        var timedOut = await hung.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(meanwhile.IsAccept, Is.True);
            Assert.That(timedOut.Verdict, Is.EqualTo("DENY"));
            Assert.That(timedOut.Reason, Is.EqualTo("timeout"));
        });
    }

    [Test]
    public async Task A_plugin_that_blocks_its_thread_is_answered_at_request_timeout_and_the_log_names_instance_and_limit()
    {
        var time = new FakeTimeProvider();
        await using var host = await TestPluginHost.StartAsync(
            new Dictionary<string, string>
            {
                ["blocking"] = TestPluginHost.Scripted("block = 10"),
                ["noop"] = TestPluginHost.Noop,
            },
            "request_timeout = 20",
            time);
        await using var client = await host.CreateClientAsync();

        var blocked = client.AuthenticateAsync(Params("blocking", "b1"));
        await host.LogCapture.WaitForAsync(l => l.Contains("test plugin blocking: blocking the calling thread for session b1", StringComparison.Ordinal));
        var meanwhile = await client.AuthenticateAsync(Params("noop", "n1"));
        time.Advance(TimeSpan.FromSeconds(20));
        var answer = await blocked.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(meanwhile.IsAccept, Is.True, "the same connection is served while the plugin blocks");
            Assert.That((answer.Verdict, answer.Reason), Is.EqualTo(("DENY", "timeout")));
            Assert.That(host.Logs, Has.None.Contains("test plugin blocking: started for session b1"), "answered while the plugin was still blocked");
            Assert.That(host.Logs, Has.Some.Contains("blocking: the request for user alice (session b1) was cancelled").And.Contains("request_timeout (20 s) reached"));
        });
    }

    [Test]
    public async Task Session_ended_and_admin_calls_into_a_plugin_that_blocks_are_answered_at_request_timeout()
    {
        var time = new FakeTimeProvider();
        await using var host = await TestPluginHost.StartAsync(
            new Dictionary<string, string> { ["blocking"] = TestPluginHost.Scripted("block = 10\nblock_session_end = yes") },
            "request_timeout = 20",
            time);
        await using var client = await host.CreateClientAsync();

        var admin = client.CallAsync("admin", new System.Text.Json.Nodes.JsonObject { ["instance"] = "blocking", ["operation"] = "block" });
        await host.LogCapture.WaitForAsync(l => l.Contains("test plugin blocking: blocking the calling thread for session admin", StringComparison.Ordinal));
        var health = await client.HealthAsync();
        time.Advance(TimeSpan.FromSeconds(20));
        var error = Assert.ThrowsAsync<MfaHostRpcException>(() => admin.WaitAsync(TimeSpan.FromSeconds(30)));

        var login = client.AuthenticateAsync(Params("blocking", "e1"));
        await host.LogCapture.WaitForAsync(l => l.Contains("test plugin blocking: blocking the calling thread for session e1", StringComparison.Ordinal));
        time.Advance(TimeSpan.FromSeconds(20));
        var timedOut = await login.WaitAsync(TimeSpan.FromSeconds(30));
        var ended = client.SessionEndedAsync("e1");
        await host.LogCapture.WaitForAsync(l => l.Contains("test plugin blocking: blocking the calling thread for session end of e1", StringComparison.Ordinal));
        time.Advance(TimeSpan.FromSeconds(20));
        string endAnswer;
        try
        {
            endAnswer = "ended " + await ended.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (MfaHostRpcException e)
        {
            endAnswer = e.Reason ?? "?";
        }

        Assert.Multiple(() =>
        {
            Assert.That(health.Status, Is.Not.Empty, "the connection is served while the plugin blocks");
            Assert.That(error!.Reason, Is.EqualTo("timeout"));
            Assert.That(timedOut.Reason, Is.EqualTo("timeout"));
            Assert.That(endAnswer, Is.AnyOf("ended True", "timeout"), "session_ended is answered by request_timeout");
            Assert.That(host.Logs, Has.None.Contains("test plugin blocking: unblocked"), "every answer came while the plugin still blocked");
        });
    }

    [Test]
    public async Task A_plugin_question_is_answered_in_a_second_call_of_the_same_session()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string> { ["asking"] = TestPluginHost.Scripted("outcome = needinfo\notp = 424242") });
        await using var client = await host.CreateClientAsync();

        var question = await client.AuthenticateAsync(Params("asking", "q1"));
        var accepted = await client.AuthenticateAsync(Params("asking", "q1").WithAnswer("424242"));
        var again = await client.AuthenticateAsync(Params("asking", "q2"));
        var denied = await client.AuthenticateAsync(Params("asking", "q2").WithAnswer("000000"));

        Assert.Multiple(() =>
        {
            Assert.That(question.Verdict, Is.EqualTo("NEEDINFO"));
            Assert.That(question.Question, Is.EqualTo("Test code: "));
            Assert.That(question.Key, Is.EqualTo("otp"));
            Assert.That(question.DisableEcho, Is.True);
            Assert.That(accepted.Verdict, Is.EqualTo("ACCEPT"));
            Assert.That(again.Verdict, Is.EqualTo("NEEDINFO"));
            Assert.That(denied.Verdict, Is.EqualTo("DENY"));
        });
    }

    [Test]
    public async Task No_secret_of_a_request_reaches_any_log_line_at_any_level()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string>
        {
            ["scripted"] = TestPluginHost.Scripted("otp = Otp-S3cret-8841"),
            ["crashing"] = TestPluginHost.Scripted("throw = crash"),
        });
        await using var client = await host.CreateClientAsync();
        var secrets = new AuthenticateParams
        {
            Plugin = "scripted",
            SessionId = "secret-test",
            Username = "alice",
            MfaPassword = "Otp-S3cret-8841",
            Password = "Primary-Pa55-7713",
            Attributes = new Dictionary<string, string> { ["note"] = "x" },
        };

        await client.AuthenticateAsync(secrets);
        await client.AuthenticateAsync(new AuthenticateParams { Plugin = "crashing", SessionId = "secret-test-2", Username = "alice", MfaPassword = "Otp-S3cret-8841", Password = "Primary-Pa55-7713" });
        await using (var raw = await RawGatewayConnection.ConnectAsync(host.SocketPath))
        {
            await raw.RequestAsync("""{"jsonrpc":"2.0","id":1,"method":"authenticate","params":{"plugin":"scripted","session_id":"s","username":"alice","mfa_password":["Otp-S3cret-8841"]}}""");
            await raw.RequestAsync("""{"jsonrpc":"2.0","id":2,"method":"authenticate","params":{"plugin":"scripted","session_id":"s","username":"alice","password":"Primary-Pa55-7713","mfa_password":"Otp-S3cret-8841" """);
        }

        Assert.That(host.Logs, Has.Some.Contains("[305]").Or.Some.Contains("plugin").IgnoreCase, "something was logged");
        Assert.That(host.Logs.Where(l => l.Contains("Otp-S3cret-8841", StringComparison.Ordinal) || l.Contains("Primary-Pa55-7713", StringComparison.Ordinal)), Is.Empty);
    }
}
