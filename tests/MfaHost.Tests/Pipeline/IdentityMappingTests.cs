using static MfaHost.Tests.Pipeline.PipelineHarness;

namespace MfaHost.Tests.Pipeline;

public class IdentityMappingTests
{
    private const string Mapping = "[usermapping]\nalice = a.smith@corp.example\n\n[username_transform]\nappend_domain = example.com\n";

    [TestCase("alice", "a.smith@corp.example")]
    [TestCase("ALICE", "a.smith@corp.example")]
    [TestCase("bob", "bob@example.com")]
    public async Task An_explicit_mapping_wins_and_otherwise_the_domain_is_appended(string username, string identity)
    {
        await using var h = new PipelineHarness(Mapping);
        var outcome = await h.AuthenticateAsync(Request(username: username, mfaPassword: "1"));
        Assert.Multiple(() =>
        {
            Assert.That(h.Client.LastCall.MfaIdentity, Is.EqualTo(identity));
            Assert.That(h.Client.LastCall.Username, Is.EqualTo(username));
            Assert.That(outcome.MfaIdentity, Is.EqualTo(identity));
        });
    }

    [Test]
    public async Task The_request_mfa_identity_overrides_the_mapping()
    {
        await using var h = new PipelineHarness(Mapping);
        var outcome = await h.AuthenticateAsync(Request(mfaIdentity: "given@x", mfaPassword: "1"));
        Assert.Multiple(() =>
        {
            Assert.That(h.Client.LastCall.MfaIdentity, Is.EqualTo("given@x"));
            Assert.That(outcome.MfaIdentity, Is.EqualTo("given@x"));
        });
    }

    [Test]
    public async Task Without_mapping_the_identity_is_the_username()
    {
        await using var h = new PipelineHarness();
        await h.AuthenticateAsync(Request(mfaPassword: "1"));
        Assert.That(h.Client.LastCall.MfaIdentity, Is.EqualTo("alice"));
    }

    [Test]
    public async Task The_mapped_identity_is_kept_across_a_needinfo_round_trip()
    {
        await using var h = new PipelineHarness(Mapping);
        await h.AuthenticateAsync(Request(protocol: "ssh"));
        var outcome = await h.AuthenticateAsync(Request(protocol: "ssh", answer: "1"));
        Assert.That(outcome.MfaIdentity, Is.EqualTo("a.smith@corp.example"));
    }
}
