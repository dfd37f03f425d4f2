using MfaHost.PluginSdk;
using static MfaHost.Tests.Pipeline.PipelineHarness;

namespace MfaHost.Tests.Pipeline;

public class AuthenticationCacheTests
{
    private const string Cache = "[authentication_cache]\nreuse_limit = 2\nsoft_timeout = 15\nhard_timeout = 90\n";

    [Test]
    public async Task A_recent_real_authentication_is_reused_without_the_plugin()
    {
        await using var h = new PipelineHarness(Cache);
        await h.AuthenticateAsync(Request(mfaPassword: "1"));
        h.Time.Advance(TimeSpan.FromSeconds(10));
        var outcome = await h.AuthenticateAsync(Request(session: "s2"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsAccept, Is.True);
            Assert.That(outcome.Verdict.Reason, Is.EqualTo(MfaReasons.Cached));
            Assert.That(outcome.Verdict.Message, Is.EqualTo("cached authentication"));
            Assert.That(h.Client.Calls, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task After_the_soft_timeout_since_last_use_the_plugin_is_asked_again()
    {
        await using var h = new PipelineHarness(Cache);
        await h.AuthenticateAsync(Request(mfaPassword: "1"));
        h.Time.Advance(TimeSpan.FromSeconds(16));
        var outcome = await h.AuthenticateAsync(Request(session: "s2", mfaPassword: "2"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.Reason, Is.EqualTo(MfaReasons.Accepted));
            Assert.That(h.Client.Calls, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task Each_reuse_restarts_the_soft_timeout_but_not_the_hard_timeout()
    {
        await using var h = new PipelineHarness("[authentication_cache]\nreuse_limit = 100\nsoft_timeout = 15\nhard_timeout = 30\n");
        await h.AuthenticateAsync(Request(mfaPassword: "1"));
        var reasons = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(12));
            reasons.Add((await h.AuthenticateAsync(Request(session: $"r{i}", mfaPassword: "2"))).Verdict.Reason);
        }

        Assert.That(reasons, Is.EqualTo(new[] { MfaReasons.Cached, MfaReasons.Cached, MfaReasons.Accepted }), "the third is 36 s after the real MFA");
    }

    [Test]
    public async Task The_reuse_limit_counts_reuses_and_a_real_authentication_resets_it()
    {
        await using var h = new PipelineHarness(Cache);
        h.Client.Script = (_, _) => true;
        var reasons = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            reasons.Add((await h.AuthenticateAsync(Request(session: $"r{i}", mfaPassword: "2"))).Verdict.Reason);
        }

        Assert.That(reasons, Is.EqualTo(new[] { MfaReasons.Accepted, MfaReasons.Cached, MfaReasons.Cached, MfaReasons.Accepted, MfaReasons.Cached }));
    }

    [Test]
    public async Task The_cache_is_per_user_and_client_ip()
    {
        await using var h = new PipelineHarness(Cache);
        await h.AuthenticateAsync(Request(mfaPassword: "1"));
        var otherIp = await h.AuthenticateAsync(Request(session: "s2", mfaPassword: "2", clientIp: "10.0.0.2"));
        var otherUser = await h.AuthenticateAsync(Request(session: "s3", username: "Alice", mfaPassword: "2"));
        var noIp = await h.AuthenticateAsync(Request(session: "s4", mfaPassword: "2", clientIp: null));
        Assert.Multiple(() =>
        {
            Assert.That(otherIp.Verdict.Reason, Is.EqualTo(MfaReasons.Accepted));
            Assert.That(otherUser.Verdict.Reason, Is.EqualTo(MfaReasons.Accepted), "user names compare exactly");
            Assert.That(noIp.Verdict.Reason, Is.EqualTo(MfaReasons.Accepted), "no client address, no reuse");
        });
    }

    [Test]
    public async Task A_deny_or_a_fail_open_accept_is_not_cached()
    {
        await using var h = new PipelineHarness(Cache);
        h.Client.Script = (_, _) => false;
        await h.AuthenticateAsync(Request(mfaPassword: "1"));
        h.Client.Script = (_, _) => MfaVerdict.Accept(MfaReasons.AcceptedServiceUnreachable);
        await h.AuthenticateAsync(Request(session: "s2", mfaPassword: "1"));
        h.Client.Script = (_, _) => false;
        var outcome = await h.AuthenticateAsync(Request(session: "s3", mfaPassword: "1"));
        Assert.That(outcome.Verdict.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
    }

    [Test]
    public async Task With_reuse_limit_zero_nothing_is_cached()
    {
        await using var h = new PipelineHarness("[authentication_cache]\nreuse_limit = 0\n");
        await h.AuthenticateAsync(Request(mfaPassword: "1"));
        await h.AuthenticateAsync(Request(session: "s2", mfaPassword: "1"));
        Assert.That(h.Client.Calls, Has.Count.EqualTo(2));
    }
}
