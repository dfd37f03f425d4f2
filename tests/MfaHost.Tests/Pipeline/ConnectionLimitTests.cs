using MfaHost.PluginSdk;
using static MfaHost.Tests.Pipeline.PipelineHarness;

namespace MfaHost.Tests.Pipeline;

public class ConnectionLimitTests
{
    [Test]
    public async Task Sessions_beyond_the_limit_are_denied_until_one_ends()
    {
        await using var h = new PipelineHarness("[connection_limit]\nlimit = 2\n");
        var one = await h.AuthenticateAsync(Request(session: "a", mfaPassword: "1"));
        var two = await h.AuthenticateAsync(Request(session: "b", mfaPassword: "1"));
        var three = await h.AuthenticateAsync(Request(session: "c", mfaPassword: "1"));
        await h.Pipeline.SessionEndedAsync("a", CancellationToken.None);
        var four = await h.AuthenticateAsync(Request(session: "d", mfaPassword: "1"));
        Assert.Multiple(() =>
        {
            Assert.That(one.Verdict.IsAccept && two.Verdict.IsAccept, Is.True);
            Assert.That(three.Verdict.IsDeny, Is.True);
            Assert.That(three.Verdict.Reason, Is.EqualTo(MfaReasons.ConnectionLimit));
            Assert.That(four.Verdict.IsAccept, Is.True);
            Assert.That(h.Client.Calls, Has.Count.EqualTo(3), "no MFA for a login over the limit");
        });
    }

    [Test]
    public async Task The_limit_is_per_user_and_client_ip_and_the_same_session_counts_once()
    {
        await using var h = new PipelineHarness("[connection_limit]\nlimit = 1\n");
        await h.AuthenticateAsync(Request(session: "a", mfaPassword: "1"));
        var again = await h.AuthenticateAsync(Request(session: "a", mfaPassword: "1"));
        var otherIp = await h.AuthenticateAsync(Request(session: "b", mfaPassword: "1", clientIp: "10.9.9.9"));
        var otherUser = await h.AuthenticateAsync(Request(session: "c", username: "bob", mfaPassword: "1"));
        var sameUserOtherCase = await h.AuthenticateAsync(Request(session: "d", username: "ALICE", mfaPassword: "1"));
        Assert.Multiple(() =>
        {
            Assert.That(again.Verdict.IsAccept, Is.True);
            Assert.That(otherIp.Verdict.IsAccept, Is.True);
            Assert.That(otherUser.Verdict.IsAccept, Is.True);
            Assert.That(sameUserOtherCase.Verdict.Reason, Is.EqualTo(MfaReasons.ConnectionLimit));
        });
    }

    [Test]
    public async Task A_denied_login_takes_no_slot()
    {
        await using var h = new PipelineHarness("[connection_limit]\nlimit = 1\n");
        h.Client.Script = (_, otp) => otp == "good";
        await h.AuthenticateAsync(Request(session: "a", mfaPassword: "bad"));
        var outcome = await h.AuthenticateAsync(Request(session: "b", mfaPassword: "good"));
        Assert.That(outcome.Verdict.IsAccept, Is.True);
    }

    [Test]
    public async Task An_idle_session_frees_its_slot()
    {
        await using var h = new PipelineHarness("[connection_limit]\nlimit = 1\n");
        await h.AuthenticateAsync(Request(session: "a", mfaPassword: "1"));
        h.Time.Advance(TimeSpan.FromHours(25));
        var outcome = await h.AuthenticateAsync(Request(session: "b", mfaPassword: "1"));
        Assert.That(outcome.Verdict.IsAccept, Is.True);
    }

    [Test]
    public async Task Without_a_limit_sessions_are_unlimited()
    {
        await using var h = new PipelineHarness();
        for (var i = 0; i < 20; i++)
        {
            Assert.That((await h.AuthenticateAsync(Request(session: $"s{i}", mfaPassword: "1"))).Verdict.IsAccept, Is.True);
        }
    }
}
