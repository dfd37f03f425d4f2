using MfaHost.PluginSdk;
using static MfaHost.Tests.Pipeline.PipelineHarness;

namespace MfaHost.Tests.Pipeline;

public class WhitelistTests
{
    [TestCase("svc", true)]
    [TestCase("SVC", true)]
    [TestCase("alice", false)]
    public async Task With_allow_no_user_only_the_listed_users_bypass(string username, bool bypasses)
    {
        await using var h = new PipelineHarness("[whitelist]\nusers = svc, backup\nallow = no_user\n");
        h.Client.Script = (_, _) => false;
        var outcome = await h.AuthenticateAsync(Request(username: username, mfaPassword: "1"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsAccept, Is.EqualTo(bypasses));
            Assert.That(h.Client.Calls, Has.Count.EqualTo(bypasses ? 0 : 1));
            if (bypasses)
            {
                Assert.That(outcome.Verdict.Reason, Is.EqualTo(MfaReasons.Whitelisted));
                Assert.That(outcome.Verdict.Message, Is.EqualTo("User whitelisted"));
            }
        });
    }

    [TestCase("admin", false)]
    [TestCase("Admin", false)]
    [TestCase("alice", true)]
    public async Task With_allow_all_users_everyone_bypasses_except_the_listed_users(string username, bool bypasses)
    {
        await using var h = new PipelineHarness("[whitelist]\nusers = admin\nallow = all_users\n");
        h.Client.Script = (_, _) => false;
        var outcome = await h.AuthenticateAsync(Request(username: username, mfaPassword: "1"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsAccept, Is.EqualTo(bypasses));
            Assert.That(outcome.Verdict.Reason, Is.EqualTo(bypasses ? MfaReasons.Whitelisted : MfaReasons.AuthenticationFailed));
        });
    }

    [Test]
    public async Task Without_a_whitelist_nobody_bypasses()
    {
        await using var h = new PipelineHarness();
        h.Client.Script = (_, _) => false;
        var outcome = await h.AuthenticateAsync(Request(mfaPassword: "1"));
        Assert.That(outcome.Verdict.IsDeny, Is.True);
    }

    [Test]
    public async Task A_whitelisted_user_on_an_interactive_protocol_is_not_asked_for_a_password()
    {
        await using var h = new PipelineHarness("[whitelist]\nusers = alice\n");
        var outcome = await h.AuthenticateAsync(Request(protocol: "ssh"));
        Assert.That(outcome.Verdict.Reason, Is.EqualTo(MfaReasons.Whitelisted));
    }
}
