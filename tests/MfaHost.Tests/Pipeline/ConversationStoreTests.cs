using MfaHost.Vocabulary;
using MfaHost.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Tests.Pipeline;

public class ConversationStoreTests
{
    private readonly FakeTimeProvider _time = new();

    [Test]
    public void A_conversation_is_taken_once()
    {
        var store = new ConversationStore(_time, TimeSpan.FromSeconds(300));
        store.TrySave("s", Conversation());
        Assert.Multiple(() =>
        {
            Assert.That(store.TryTake("s", out var c), Is.EqualTo(ConversationLookup.Found));
            Assert.That(c, Is.Not.Null);
            Assert.That(store.TryTake("s", out _), Is.EqualTo(ConversationLookup.None));
            Assert.That(store.Count, Is.Zero);
        });
    }

    [Test]
    public void A_conversation_expires_after_the_timeout_counted_from_when_it_was_opened()
    {
        var store = new ConversationStore(_time, TimeSpan.FromSeconds(300));
        store.TrySave("s", Conversation());
        _time.Advance(TimeSpan.FromSeconds(299));
        store.TrySave("other", Conversation());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(store.TryTake("s", out _), Is.EqualTo(ConversationLookup.Expired));
    }

    [Test]
    public void Expired_conversations_are_swept_when_new_ones_are_opened()
    {
        var store = new ConversationStore(_time, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 50; i++)
        {
            store.TrySave($"s{i}", Conversation());
        }

        _time.Advance(TimeSpan.FromSeconds(11));
        store.TrySave("new", Conversation());
        Assert.That(store.Count, Is.EqualTo(1));
    }

    [Test]
    public void A_full_store_refuses_new_conversations_but_replaces_existing_ones()
    {
        var store = new ConversationStore(_time, TimeSpan.FromSeconds(300), capacity: 2);
        Assert.Multiple(() =>
        {
            Assert.That(store.TrySave("a", Conversation()), Is.True);
            Assert.That(store.TrySave("b", Conversation()), Is.True);
            Assert.That(store.TrySave("c", Conversation()), Is.False);
            Assert.That(store.TrySave("a", Conversation()), Is.True);
            Assert.That(store.Count, Is.EqualTo(2));
        });
        _time.Advance(TimeSpan.FromSeconds(301));
        Assert.That(store.TrySave("c", Conversation()), Is.True, "room again once the old ones expired");
    }

    [Test]
    public async Task A_full_store_makes_the_pipeline_deny_instead_of_growing()
    {
        await using var h = new PipelineHarness();
        for (var i = 0; i < h.Pipeline.Conversations.Capacity; i++)
        {
            h.Pipeline.Conversations.TrySave($"x{i}", Conversation());
        }

        var outcome = await h.AuthenticateAsync(PipelineHarness.Request(protocol: "ssh"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Verdict.IsDeny, Is.True);
            Assert.That(outcome.Verdict.Reason, Is.EqualTo(ReasonWords.Overloaded));
        });
    }

    private static OtpConversation Conversation() => new()
    {
        Instance = "test",
        Username = "alice",
        MfaIdentity = "alice",
        Request = PipelineHarness.Request(),
    };
}
