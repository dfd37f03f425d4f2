using MfaHost.Client;
using MfaHost.Tests.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Tests.Pipeline;

/// <summary>The pipeline's main flows through the real socket, a real host and the test plugins.</summary>
public class PipelineEndToEndTests
{
    private static AuthenticateParams Params(string plugin, string session = "s1", string username = "alice", string? otp = null, string? protocol = null, string? clientIp = "10.0.0.1") =>
        new() { Plugin = plugin, SessionId = session, Username = username, MfaPassword = otp, Protocol = protocol, ClientIp = clientIp };

    [Test]
    public async Task An_interactive_login_is_asked_for_the_code_and_the_answer_reaches_the_plugin()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string>
        {
            ["test"] = TestPluginHost.Scripted("otp = 287082") + "[usermapping]\nalice = a.smith@corp.example\n",
        });
        await using var client = await host.CreateClientAsync();

        var question = await client.AuthenticateAsync(Params("test", protocol: "ssh"));
        var accepted = await client.AuthenticateAsync(Params("test", protocol: "ssh").WithAnswer("287082"));
        await client.AuthenticateAsync(Params("test", "s2", protocol: "ssh"));
        var denied = await client.AuthenticateAsync(Params("test", "s2", protocol: "ssh").WithAnswer("000000"));

        Assert.Multiple(() =>
        {
            Assert.That(question.Verdict, Is.EqualTo("NEEDINFO"));
            Assert.That(question.Reason, Is.EqualTo("need_info"));
            Assert.That(question.Question, Is.EqualTo("Press Enter for push notification or type one-time password:"));
            Assert.That(question.Key, Is.EqualTo("otp"));
            Assert.That(question.DisableEcho, Is.False);
            Assert.That(accepted.Verdict, Is.EqualTo("ACCEPT"));
            Assert.That(accepted.MfaIdentity, Is.EqualTo("a.smith@corp.example"));
            Assert.That(denied.Verdict, Is.EqualTo("DENY"));
            Assert.That(denied.Reason, Is.EqualTo("authentication_failed"));
            Assert.That(host.Logs, Has.None.Contains("287082"));
        });
    }

    [Test]
    public async Task An_empty_answer_to_the_code_question_is_a_push()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string> { ["test"] = TestPluginHost.Scripted("outcome = needinfo") });
        await using var client = await host.CreateClientAsync();

        await client.AuthenticateAsync(Params("test", protocol: "rdp"));
        var pushed = await client.AuthenticateAsync(Params("test", protocol: "rdp").WithAnswer(string.Empty));

        Assert.Multiple(() =>
        {
            Assert.That(pushed.Verdict, Is.EqualTo("NEEDINFO"), "the plugin's own answer to a push");
            Assert.That(pushed.Question, Is.EqualTo("Test code: "));
        });
    }

    [Test]
    public async Task A_whitelisted_user_is_accepted_without_the_plugin()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string>
        {
            ["test"] = TestPluginHost.Scripted("outcome = deny") + "[whitelist]\nusers = svc\nallow = no_user\n",
        });
        await using var client = await host.CreateClientAsync();

        var svc = await client.AuthenticateAsync(Params("test", username: "svc"));
        var alice = await client.AuthenticateAsync(Params("test", "s2"));

        Assert.Multiple(() =>
        {
            Assert.That(svc.Verdict, Is.EqualTo("ACCEPT"));
            Assert.That(svc.Reason, Is.EqualTo("whitelisted"));
            Assert.That(svc.Message, Is.EqualTo("User whitelisted"));
            Assert.That(alice.Verdict, Is.EqualTo("DENY"));
        });
    }

    [Test]
    public async Task A_recent_authentication_is_reused_until_the_soft_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestPluginHost.StartAsync(
            new Dictionary<string, string> { ["test"] = TestPluginHost.Scripted("outcome = needinfo\notp = 111111") + "[authentication_cache]\nreuse_limit = 5\nsoft_timeout = 15\n" },
            time: time);
        await using var client = await host.CreateClientAsync();

        var real = await client.AuthenticateAsync(Params("test", otp: "111111"));
        time.Advance(TimeSpan.FromSeconds(10));
        var cached = await client.AuthenticateAsync(Params("test", "s2"));
        time.Advance(TimeSpan.FromSeconds(16));
        var expired = await client.AuthenticateAsync(Params("test", "s3"));

        Assert.Multiple(() =>
        {
            Assert.That(real.Reason, Is.EqualTo("accepted"));
            Assert.That(cached.Verdict, Is.EqualTo("ACCEPT"));
            Assert.That(cached.Reason, Is.EqualTo("cached"));
            Assert.That(cached.Message, Is.EqualTo("cached authentication"));
            Assert.That(expired.Verdict, Is.EqualTo("NEEDINFO"), "the plugin is asked again");
        });
    }

    [Test]
    public async Task A_crashing_plugin_is_a_plugin_error_deny_and_no_secret_is_logged()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string> { ["test"] = TestPluginHost.Scripted("throw = crash") });
        await using var client = await host.CreateClientAsync();

        var denied = await client.AuthenticateAsync(new AuthenticateParams { Plugin = "test", SessionId = "s1", Username = "alice", MfaPassword = "424242", Password = "hunter2" });

        Assert.Multiple(() =>
        {
            Assert.That(denied.Verdict, Is.EqualTo("DENY"));
            Assert.That(denied.Reason, Is.EqualTo("plugin_error"));
            Assert.That(denied.Message, Is.EqualTo("Internal error in plugin"));
            Assert.That(host.Logs, Has.None.Contains("424242").And.None.Contains("hunter2"));
        });
    }

    [Test]
    public async Task Questions_after_accept_come_back_in_the_metadata()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string>
        {
            ["test"] = TestPluginHost.Scripted(string.Empty) + "[question_1]\nprompt = Ticket number:\nkey = ticket\ndisable_echo = no\n",
        });
        await using var client = await host.CreateClientAsync();

        var asked = await client.AuthenticateAsync(Params("test", otp: "1"));
        var final = await client.AuthenticateAsync(Params("test").WithAnswer("T-42"));

        Assert.Multiple(() =>
        {
            Assert.That(asked.Verdict, Is.EqualTo("NEEDINFO"));
            Assert.That(asked.Question, Is.EqualTo("Ticket number:"));
            Assert.That(asked.Key, Is.EqualTo("ticket"));
            Assert.That(final.Verdict, Is.EqualTo("ACCEPT"));
            Assert.That(final.Metadata, Is.Not.Null);
            Assert.That(final.Metadata!["ticket"], Is.EqualTo("T-42"));
        });
    }

    [Test]
    public async Task Session_ended_frees_the_connection_limit_slot_and_is_known_once()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string>
        {
            ["test"] = TestPluginHost.Scripted(string.Empty) + "[connection_limit]\nlimit = 1\n",
        });
        await using var client = await host.CreateClientAsync();

        var first = await client.AuthenticateAsync(Params("test", "s1", otp: "1"));
        var overLimit = await client.AuthenticateAsync(Params("test", "s2", otp: "1"));
        var ended = await client.SessionEndedAsync("s1");
        var endedAgain = await client.SessionEndedAsync("s1");
        var afterEnd = await client.AuthenticateAsync(Params("test", "s3", otp: "1"));

        Assert.Multiple(() =>
        {
            Assert.That(first.Verdict, Is.EqualTo("ACCEPT"));
            Assert.That(overLimit.Verdict, Is.EqualTo("DENY"));
            Assert.That(overLimit.Reason, Is.EqualTo("connection_limit"));
            Assert.That(ended, Is.True);
            Assert.That(endedAgain, Is.False);
            Assert.That(afterEnd.Verdict, Is.EqualTo("ACCEPT"));
        });
    }

    [Test]
    public void A_bad_pipeline_value_stops_the_host_before_it_serves()
    {
        var e = Assert.ThrowsAsync<InvalidOperationException>(() => TestPluginHost.StartAsync(new Dictionary<string, string>
        {
            ["test"] = TestPluginHost.Scripted(string.Empty) + "[whitelist]\nallow = everybody\n",
        }));
        Assert.That(e!.Message, Does.Contain("test.ini").And.Contains("[whitelist] allow: 'everybody' is not one of no_user, all_users"));
    }
}
