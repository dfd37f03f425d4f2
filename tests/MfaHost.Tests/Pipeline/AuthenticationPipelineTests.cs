using MfaHost.Hosting;
using MfaHost.Pipeline.Steps;
using MfaHost.Vocabulary;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;
using static MfaHost.Tests.Pipeline.PipelineHarness;

namespace MfaHost.Tests.Pipeline;

public class AuthenticationPipelineTests
{
    [Test]
    public async Task An_unknown_plugin_is_refused_with_unknown_plugin()
    {
        await using var h = new PipelineHarness();
        var e = Assert.ThrowsAsync<UnknownPluginException>(() => h.AuthenticateAsync(Request(plugin: "nope")));
        Assert.That(e!.ReasonWord, Is.EqualTo("unknown_plugin"));
    }

    [Test]
    public async Task A_plugin_that_failed_to_load_is_refused_with_its_load_error()
    {
        await using var h = new PipelineHarness();
        var e = Assert.ThrowsAsync<UnknownPluginException>(() => h.AuthenticateAsync(Request(plugin: "broken")));
        Assert.Multiple(() =>
        {
            Assert.That(e!.ReasonWord, Is.EqualTo("plugin_unavailable"));
            Assert.That(e.LoadError, Is.EqualTo("the constructor threw"));
        });
    }

    [TestCase("")]
    [TestCase("  ")]
    public async Task A_missing_username_is_denied_without_calling_the_plugin(string username)
    {
        await using var h = new PipelineHarness();
        var outcome = await h.AuthenticateAsync(Request(username: username, mfaPassword: "123456"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsDeny, Is.True);
            Assert.That(outcome.Verdict.Reason, Is.EqualTo(MfaReasons.NoUsername));
            Assert.That(outcome.Verdict.Message, Is.EqualTo("No username identified"));
            Assert.That(h.Client.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task The_plugin_gets_the_request_and_its_verdict_is_the_answer()
    {
        await using var h = new PipelineHarness();
        h.Client.Script = (_, otp) => otp == "123456" ? MfaVerdict.Accept(message: "hi") : false;
        var outcome = await h.AuthenticateAsync(Request(mfaPassword: "123456", password: "pw", protocol: "https") with { Target = "srv", Attributes = new Dictionary<string, string> { ["a"] = "b" } });
        var call = h.Client.LastCall;
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsAccept, Is.True);
            Assert.That(outcome.Verdict.Message, Is.EqualTo("hi"));
            Assert.That(outcome.MfaIdentity, Is.EqualTo("alice"));
            Assert.That(call.Username, Is.EqualTo("alice"));
            Assert.That(call.Password, Is.EqualTo("pw"));
            Assert.That(call.ClientIp, Is.EqualTo("10.0.0.1"));
            Assert.That(call.Protocol, Is.EqualTo("https"));
            Assert.That(call.Target, Is.EqualTo("srv"));
            Assert.That(call.Attributes["a"], Is.EqualTo("b"));
            Assert.That(call.Session.Id, Is.EqualTo("s1"));
        });
    }

    [Test]
    public async Task A_plugin_deny_is_passed_on_with_the_identity_used()
    {
        await using var h = new PipelineHarness();
        h.Client.Script = (_, _) => false;
        var outcome = await h.AuthenticateAsync(Request(mfaPassword: "000000"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
            Assert.That(outcome.MfaIdentity, Is.EqualTo("alice"));
        });
    }

    [Test]
    public async Task A_plugin_that_throws_gives_plugin_error_and_is_logged_with_its_stack_without_secrets()
    {
        await using var h = new PipelineHarness();
        h.Client.Script = (_, _) => throw new InvalidOperationException("bug in plugin");
        var outcome = await h.AuthenticateAsync(Request(mfaPassword: "314159", password: "hunter2"));
        var logged = h.Logger.Entries.Single(l => l.EventId == 402);
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsDeny, Is.True);
            Assert.That(outcome.Verdict.Reason, Is.EqualTo(MfaReasons.PluginError));
            Assert.That(outcome.Verdict.Message, Is.EqualTo("Internal error in plugin"));
            Assert.That(logged.Level, Is.EqualTo(LogLevel.Error));
            Assert.That(logged.Exception, Does.Contain("InvalidOperationException: bug in plugin").And.Contains(" at "), "with its stack");
            Assert.That(h.Logger.AllText, Does.Not.Contain("314159").And.Not.Contain("hunter2"));
        });
    }

    [Test]
    public async Task The_callers_cancellation_propagates_to_the_caller()
    {
        await using var h = new PipelineHarness();
        using var cts = new CancellationTokenSource();
        h.Client.AsyncScript = async (_, _, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return true;
        };
        Assert.CatchAsync<OperationCanceledException>(() => h.Pipeline.AuthenticateAsync(Request(mfaPassword: "1"), cts.Token));
    }

    [Test]
    public async Task A_plugin_giving_up_on_its_own_is_a_timeout_deny()
    {
        await using var h = new PipelineHarness();
        h.Client.Script = (_, _) => throw new TaskCanceledException("HttpClient.Timeout");
        var outcome = await h.AuthenticateAsync(Request(mfaPassword: "1"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsDeny, Is.True);
            Assert.That(outcome.Verdict.Reason, Is.EqualTo(MfaReasons.Timeout));
            Assert.That(h.Logger.Entries.Select(e => e.EventId), Does.Contain(412));
        });
    }

    [Test]
    public async Task The_one_time_password_comes_from_mfa_password_then_the_otp_attribute()
    {
        await using var h = new PipelineHarness();
        var seen = new List<string?>();
        h.Client.Script = (_, otp) =>
        {
            seen.Add(otp);
            return true;
        };
        await h.AuthenticateAsync(Request(mfaPassword: "111111", attributes: new Dictionary<string, string> { ["otp"] = "222222" }));
        await h.AuthenticateAsync(Request(session: "s2", attributes: new Dictionary<string, string> { ["otp"] = "222222" }));
        await h.AuthenticateAsync(Request(session: "s3", protocol: "https"));
        Assert.That(seen, Is.EqualTo(new string?[] { "111111", "222222", null }));
    }

    [TestCase("ssh")]
    [TestCase("RDP")]
    [TestCase("telnet")]
    public async Task An_interactive_protocol_without_password_is_asked_for_it(string protocol)
    {
        await using var h = new PipelineHarness();
        var outcome = await h.AuthenticateAsync(Request(protocol: protocol));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsNeedInfo, Is.True);
            Assert.That(outcome.Verdict.Question, Is.EqualTo("Press Enter for push notification or type one-time password:"));
            Assert.That(outcome.Verdict.Key, Is.EqualTo("otp"));
            Assert.That(outcome.Verdict.DisableEcho, Is.False);
            Assert.That(h.Client.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task A_plugin_without_one_time_passwords_is_called_at_once_on_an_interactive_protocol()
    {
        await using var h = new PipelineHarness();
        h.Client.CapabilitiesOverride = MfaCapabilities.Push | MfaCapabilities.Password;
        var outcome = await h.AuthenticateAsync(Request(protocol: "ssh", password: "pw"));
        Assert.That(outcome.Verdict.IsAccept, Is.True);
        Assert.That(h.Client.Calls, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task The_answer_to_the_password_question_goes_to_the_plugin_as_one_time_password()
    {
        await using var h = new PipelineHarness();
        string? otp = "unset";
        h.Client.Script = (_, o) =>
        {
            otp = o;
            return true;
        };
        await h.AuthenticateAsync(Request(protocol: "ssh", password: "pw"));
        var outcome = await h.AuthenticateAsync(Request(protocol: "ssh", answer: "287082"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsAccept, Is.True);
            Assert.That(outcome.MfaIdentity, Is.EqualTo("alice"));
            Assert.That(otp, Is.EqualTo("287082"));
            Assert.That(h.Client.LastCall.Password, Is.EqualTo("pw"));
            Assert.That(h.Logger.AllText, Does.Not.Contain("287082"));
        });
    }

    [Test]
    public async Task An_empty_answer_to_the_password_question_means_push()
    {
        await using var h = new PipelineHarness();
        string? otp = "unset";
        h.Client.Script = (_, o) =>
        {
            otp = o;
            return true;
        };
        await h.AuthenticateAsync(Request(protocol: "ssh"));
        var outcome = await h.AuthenticateAsync(Request(protocol: "ssh", answer: string.Empty));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsAccept, Is.True);
            Assert.That(otp, Is.Null);
            Assert.That(h.Client.Calls, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task The_prompt_echo_and_interactive_protocols_are_configured_in_auth()
    {
        await using var h = new PipelineHarness("[auth]\ninteractive_protocols = vnc, ssh\nprompt = Code please:\ndisable_echo = yes\n");
        var vnc = await h.AuthenticateAsync(Request(protocol: "VNC"));
        var rdp = await h.AuthenticateAsync(Request(session: "s2", protocol: "rdp"));
        Assert.Multiple(() =>
        {
            Assert.That(vnc.Verdict.Question, Is.EqualTo("Code please:"));
            Assert.That(vnc.Verdict.DisableEcho, Is.True);
            Assert.That(rdp.Verdict.IsAccept, Is.True, "rdp is no longer interactive: push");
        });
    }

    [Test]
    public async Task A_plugin_needinfo_for_otp_takes_the_next_answer_as_one_time_password()
    {
        await using var h = new PipelineHarness();
        h.Client.Script = (r, otp) => otp is null ? MfaVerdict.NeedInfo("Code from your token:") : otp == "999000";
        var first = await h.AuthenticateAsync(Request(protocol: "https"));
        var second = await h.AuthenticateAsync(Request(protocol: "https", answer: "999000"));
        Assert.Multiple(() =>
        {
            Assert.That(first.Verdict.IsNeedInfo, Is.True);
            Assert.That(first.Verdict.Question, Is.EqualTo("Code from your token:"));
            Assert.That(second.Verdict.IsAccept, Is.True);
            Assert.That(h.Client.Calls.Select(c => c.Session), Is.All.SameAs(h.Client.LastCall.Session), "one state bag for the session");
        });
    }

    [Test]
    public async Task A_plugin_needinfo_for_another_key_hands_the_answer_in_the_attributes()
    {
        await using var h = new PipelineHarness();
        h.Client.Script = (r, otp) => r.Attributes.TryGetValue("pin", out var pin) ? pin == "4321" && otp == "123456" : MfaVerdict.NeedInfo("PIN:", "pin");
        var first = await h.AuthenticateAsync(Request(mfaPassword: "123456"));
        var second = await h.AuthenticateAsync(Request(answer: "4321"));
        Assert.Multiple(() =>
        {
            Assert.That(first.Verdict.Key, Is.EqualTo("pin"));
            Assert.That(second.Verdict.IsAccept, Is.True);
        });
    }

    [Test]
    public async Task An_answer_after_the_conversation_expired_starts_over_and_says_so()
    {
        await using var h = new PipelineHarness();
        await h.AuthenticateAsync(Request(protocol: "ssh"));
        h.Time.Advance(h.HostSettings.ConversationTimeout + TimeSpan.FromSeconds(1));
        var outcome = await h.AuthenticateAsync(Request(protocol: "ssh", answer: "287082"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsNeedInfo, Is.True, "asked again");
            Assert.That(h.Client.Calls, Is.Empty);
            Assert.That(h.Logger.Entries.Where(l => l.EventId == 403).Select(l => l.Message), Has.One.Contains("starting the login over"));
        });
    }

    [Test]
    public async Task An_answer_for_an_unknown_session_starts_over()
    {
        await using var h = new PipelineHarness();
        var outcome = await h.AuthenticateAsync(Request(protocol: "https", answer: "287082"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsAccept, Is.True);
            Assert.That(h.Client.LastCall.MfaPassword, Is.Null, "the stray answer is not a password");
            Assert.That(h.Logger.Entries.Select(l => l.EventId), Does.Contain(403));
        });
    }

    [Test]
    public async Task An_answer_naming_another_user_starts_over()
    {
        await using var h = new PipelineHarness();
        await h.AuthenticateAsync(Request(protocol: "ssh"));
        var outcome = await h.AuthenticateAsync(Request(username: "mallory", protocol: "ssh", answer: "287082"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsNeedInfo, Is.True);
            Assert.That(h.Client.Calls, Is.Empty);
            Assert.That(h.Logger.Entries.Select(l => l.EventId), Does.Contain(404));
        });
    }

    [Test]
    public async Task Session_ended_reaches_the_plugin_once_with_the_session_it_saw()
    {
        await using var h = new PipelineHarness();
        await h.AuthenticateAsync(Request(mfaPassword: "1"));
        var seen = h.Client.LastCall.Session;
        var first = await h.Pipeline.SessionEndedAsync("s1", CancellationToken.None);
        var second = await h.Pipeline.SessionEndedAsync("s1", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.True);
            Assert.That(second, Is.False);
            Assert.That(h.Client.Ended, Has.Count.EqualTo(1));
            Assert.That(h.Client.Ended.Single(), Is.SameAs(seen));
        });
    }

    [Test]
    public async Task Session_ended_for_an_unknown_id_is_false()
    {
        await using var h = new PipelineHarness();
        Assert.That(await h.Pipeline.SessionEndedAsync("never", CancellationToken.None), Is.False);
    }

    [Test]
    public async Task A_plugin_failing_in_session_ended_is_logged_not_thrown()
    {
        await using var h = new PipelineHarness();
        h.Client.OnSessionEnded = _ => throw new InvalidOperationException("logoff failed");
        await h.AuthenticateAsync(Request(mfaPassword: "1"));
        var ended = await h.Pipeline.SessionEndedAsync("s1", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(ended, Is.True);
            Assert.That(h.Logger.Entries.Single(l => l.EventId == 405).Exception, Does.Contain("InvalidOperationException: logoff failed"));
        });
    }

    [Test]
    public async Task Session_ended_listeners_hear_of_every_ended_session_and_their_failures_are_logged()
    {
        var heard = new List<string>();
        var listener = new Moq.Mock<ISessionEndedListener>();
        listener.Setup(l => l.SessionEndedAsync(Moq.It.IsAny<string>(), Moq.It.IsAny<CancellationToken>()))
            .Returns<string, CancellationToken>((id, _) =>
            {
                heard.Add(id);
                return id == "bad" ? throw new InvalidOperationException("listener failed") : ValueTask.CompletedTask;
            });
        await using var h = new PipelineHarness(sessionEndedListeners: [listener.Object]);
        await h.AuthenticateAsync(Request(session: "s1", mfaPassword: "1"));
        await h.AuthenticateAsync(Request(session: "bad", mfaPassword: "1"));
        await h.Pipeline.SessionEndedAsync("s1", CancellationToken.None);
        Assert.That(await h.Pipeline.SessionEndedAsync("bad", CancellationToken.None), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(heard, Is.EqualTo(new[] { "s1", "bad" }));
            Assert.That(h.Logger.Entries.Select(e => e.EventId), Does.Contain(413));
        });
    }

    [Test]
    public async Task A_session_with_an_open_question_is_known_and_its_conversation_is_dropped()
    {
        await using var h = new PipelineHarness();
        await h.AuthenticateAsync(Request(protocol: "ssh"));
        var ended = await h.Pipeline.SessionEndedAsync("s1", CancellationToken.None);
        var answer = await h.AuthenticateAsync(Request(protocol: "ssh", answer: "1"));
        Assert.Multiple(() =>
        {
            Assert.That(ended, Is.True);
            Assert.That(answer.Verdict.IsNeedInfo, Is.True, "the conversation is gone: start over");
        });
    }

    [Test]
    public async Task Idle_sessions_are_ended_by_the_host()
    {
        await using var h = new PipelineHarness();
        await h.AuthenticateAsync(Request(mfaPassword: "1"));
        h.Time.Advance(TimeSpan.FromHours(23));
        Assert.That(h.Client.Ended, Is.Empty);
        h.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(5));

        // The plugin's session end runs off the timer's thread (bounded by request_timeout): poll for it.
        Assert.Multiple(() =>
        {
            Assert.That(() => h.Client.Ended.Count, Is.EqualTo(1).After(10_000, 10));
            Assert.That(h.Pipeline.Lifetime.Sessions.Count, Is.Zero);
        });
    }

    [Test]
    public async Task Beyond_max_sessions_the_least_recently_used_are_ended()
    {
        await using var h = new PipelineHarness(host: s => s with { MaxSessions = 100 });
        for (var i = 0; i <= 100; i++)
        {
            await h.AuthenticateAsync(Request(session: $"s{i}", mfaPassword: "1"));
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Multiple(() =>
        {
            Assert.That(h.Pipeline.Lifetime.Sessions.Count, Is.EqualTo(90));
            Assert.That(() => h.Client.Ended.Select(e => e.Id).ToList(), Is.EquivalentTo(Enumerable.Range(0, 11).Select(i => $"s{i}")).After(10_000, 10));
            Assert.That(() => h.Logger.Entries.Select(e => e.EventId).ToList(), Does.Contain(410).After(10_000, 10), "logged after the last session end");
        });
    }

    [Test]
    public async Task Session_ended_cancels_a_plugin_still_working_for_the_session()
    {
        await using var h = new PipelineHarness();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Client.AsyncScript = async (_, _, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return true;
        };
        var pending = h.AuthenticateAsync(Request());
        await started.Task;
        var ended = await h.Pipeline.SessionEndedAsync("s1", CancellationToken.None);
        var outcome = await pending;
        Assert.Multiple(() =>
        {
            Assert.That(ended, Is.True);
            Assert.That(h.Client.Ended, Has.Count.EqualTo(1));
            Assert.That(outcome.Verdict.IsDeny, Is.True);
            Assert.That(outcome.Verdict.Reason, Is.EqualTo(ReasonWords.SessionEnded));
        });
    }

    [Test]
    public async Task A_step_before_the_plugin_may_decide_without_it_and_a_step_around_the_questions_sees_the_final_accept()
    {
        var order = PipelineHarness.Insert(AuthenticationSteps.PipelineOnly, typeof(SigningStep), after: typeof(IdentityMappingStep));
        order = PipelineHarness.Insert(order, typeof(TokenStep), after: typeof(PluginQuestionStep));
        await using var h = new PipelineHarness(steps: order);
        var byToken = await h.AuthenticateAsync(Request(mfaPassword: "token-1"));
        var byPlugin = await h.AuthenticateAsync(Request(session: "s2", mfaPassword: "123456"));
        Assert.Multiple(() =>
        {
            Assert.That(byToken.Verdict.Reason, Is.EqualTo(MfaReasons.OneTimeToken));
            Assert.That(byToken.SessionToken, Is.EqualTo("signed"));
            Assert.That(byPlugin.Verdict.Reason, Is.EqualTo(MfaReasons.Accepted));
            Assert.That(h.Client.Calls, Has.Count.EqualTo(1));
        });
    }

    /// <summary>Decides a login whose one-time password is <c>token-1</c> (as a one-time token would).</summary>
    private sealed class TokenStep : IAuthenticationStep
    {
        public ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken) =>
            login.Otp == "token-1" ? ValueTask.FromResult(login.Outcome(MfaVerdict.Accept(MfaReasons.OneTimeToken))) : next(login, cancellationToken);
    }

    /// <summary>Adds to every final ACCEPT (as the session token does).</summary>
    private sealed class SigningStep : IAuthenticationStep
    {
        public async ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
        {
            var outcome = await next(login, cancellationToken);
            return outcome.Verdict.IsAccept ? outcome with { SessionToken = "signed" } : outcome;
        }
    }
}
