using MfaHost.PluginSdk;
using static MfaHost.Tests.Pipeline.PipelineHarness;

namespace MfaHost.Tests.Pipeline;

public class QuestionTests
{
    private const string Questions = "[question_1]\nprompt = Ticket number:\nkey = ticket\ndisable_echo = no\n\n[question_2]\nprompt = Reason:\nkey = reason\n";

    [Test]
    public async Task After_accept_each_question_is_asked_in_order_and_the_answers_go_into_the_metadata()
    {
        await using var h = new PipelineHarness(Questions);
        h.Client.Script = (_, _) => MfaVerdict.Accept() with { Metadata = new Dictionary<string, string> { ["api_session"] = "abc" } };
        var first = await h.AuthenticateAsync(Request(mfaPassword: "1"));
        var second = await h.AuthenticateAsync(Request(answer: "T-42"));
        var final = await h.AuthenticateAsync(Request(answer: "maintenance"));
        Assert.Multiple(() =>
        {
            Assert.That(first.Verdict.IsNeedInfo, Is.True);
            Assert.That(first.Verdict.Question, Is.EqualTo("Ticket number:"));
            Assert.That(first.Verdict.Key, Is.EqualTo("ticket"));
            Assert.That(first.Verdict.DisableEcho, Is.False);
            Assert.That(second.Verdict.Question, Is.EqualTo("Reason:"));
            Assert.That(second.Verdict.DisableEcho, Is.True, "disable_echo defaults to yes");
            Assert.That(final.Verdict.IsAccept, Is.True);
            Assert.That(final.Verdict.Reason, Is.EqualTo(MfaReasons.Accepted));
            Assert.That(final.MfaIdentity, Is.EqualTo("alice"));
            Assert.That(final.Verdict.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["api_session"] = "abc", ["ticket"] = "T-42", ["reason"] = "maintenance" }));
            Assert.That(h.Client.Calls, Has.Count.EqualTo(1));
            Assert.That(h.Logger.AllText, Does.Not.Contain("T-42"));
        });
    }

    [Test]
    public async Task An_answer_cannot_replace_metadata_the_plugin_set()
    {
        await using var h = new PipelineHarness("[question_1]\nprompt = x\nkey = session_credential\n");
        h.Client.Script = (_, _) => MfaVerdict.Accept() with { Metadata = new Dictionary<string, string> { ["session_credential"] = "from-plugin" } };
        await h.AuthenticateAsync(Request(mfaPassword: "1"));
        var final = await h.AuthenticateAsync(Request(answer: "forged"));
        Assert.That(final.Verdict.Metadata["session_credential"], Is.EqualTo("from-plugin"));
    }

    [Test]
    public async Task A_deny_asks_no_questions()
    {
        await using var h = new PipelineHarness(Questions);
        h.Client.Script = (_, _) => false;
        var outcome = await h.AuthenticateAsync(Request(mfaPassword: "1"));
        Assert.That(outcome.Verdict.IsDeny, Is.True);
    }

    [Test]
    public async Task A_whitelisted_user_answers_the_questions_too()
    {
        await using var h = new PipelineHarness("[whitelist]\nusers = alice\n\n" + Questions);
        await h.AuthenticateAsync(Request());
        await h.AuthenticateAsync(Request(answer: "T-1"));
        var final = await h.AuthenticateAsync(Request(answer: "r"));
        Assert.Multiple(() =>
        {
            Assert.That(final.Verdict.Reason, Is.EqualTo(MfaReasons.Whitelisted));
            Assert.That(final.Verdict.Metadata["ticket"], Is.EqualTo("T-1"));
        });
    }
}
