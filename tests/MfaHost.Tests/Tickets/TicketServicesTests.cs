using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Tickets;
using Microsoft.Extensions.Time.Testing;
using MfaHost.Configuration;

namespace MfaHost.Tests.Tickets;

public class TicketServicesTests
{
    private FakeTimeProvider _time = null!;
    private InMemoryStateStore _store = null!;
    private TicketSettings _settings = null!;
    private OneTimeTokenService _tokens = null!;
    private SessionTokenService _sessions = null!;
    private TicketService _tickets = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        _store = new InMemoryStateStore(_time);
        _settings = new TicketSettings();
        var replay = new StateReplayStore(_store);
        _tokens = new OneTimeTokenService(_store, replay, _settings, _time);
        _sessions = new SessionTokenService(_store, _settings, _time);
        _tickets = new TicketService(_store, replay, _sessions, _settings, _time);
    }

    [Test]
    public async Task A_token_is_accepted_once_and_replayed_after()
    {
        var (token, expiresAt) = await _tokens.CreateAsync("alice", null, CancellationToken.None);
        var first = await _tokens.RedeemAsync("alice", token, CancellationToken.None);
        var second = await _tokens.RedeemAsync("alice", token, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(token, Does.StartWith("mfat_").And.Length.GreaterThanOrEqualTo(5 + 22), "at least 128 bits");
            Assert.That(expiresAt, Is.EqualTo(_time.GetUtcNow().AddSeconds(600)));
            Assert.That((first.Kind, first.Reason), Is.EqualTo((MfaVerdictKind.Accept, "one_time_token")));
            Assert.That((second.Kind, second.Reason), Is.EqualTo((MfaVerdictKind.Deny, "replayed")));
        });
    }

    [Test]
    public async Task A_hundred_concurrent_redemptions_of_one_token_give_exactly_one_accept()
    {
        var (token, _) = await _tokens.CreateAsync("alice", null, CancellationToken.None);
        var verdicts = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => _tokens.RedeemAsync("alice", token, CancellationToken.None))));
        Assert.That(verdicts.Count(v => v.IsAccept), Is.EqualTo(1));
        Assert.That(verdicts.Where(v => !v.IsAccept).Select(v => v.Reason), Is.All.EqualTo("replayed"));
    }

    [Test]
    public async Task A_token_for_another_user_is_refused_and_not_spent()
    {
        var (token, _) = await _tokens.CreateAsync("alice", null, CancellationToken.None);
        var mallory = await _tokens.RedeemAsync("mallory", token, CancellationToken.None);
        var alice = await _tokens.RedeemAsync("alice", token, CancellationToken.None);
        Assert.That((mallory.Reason, alice.Reason), Is.EqualTo(("authentication_failed", "one_time_token")));
    }

    [Test]
    public async Task A_token_expires()
    {
        var (token, _) = await _tokens.CreateAsync("alice", TimeSpan.FromSeconds(30), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(31));
        var verdict = await _tokens.RedeemAsync("alice", token, CancellationToken.None);
        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, "authentication_failed")));
    }

    [Test]
    public void A_token_lifetime_beyond_max_ttl_is_refused() =>
        Assert.ThrowsAsync<ArgumentException>(() => _tokens.CreateAsync("alice", TimeSpan.FromDays(2), CancellationToken.None));

    [Test]
    public async Task A_store_that_was_restarted_knows_no_earlier_token()
    {
        var (token, _) = await _tokens.CreateAsync("alice", null, CancellationToken.None);
        var restartedStore = new InMemoryStateStore(_time);
        var restarted = new OneTimeTokenService(restartedStore, new StateReplayStore(restartedStore), _settings, _time);
        var verdict = await restarted.RedeemAsync("alice", token, CancellationToken.None);
        Assert.That(verdict.IsAccept, Is.False);
    }

    [Test]
    public async Task A_session_token_names_user_plugin_and_session_and_verifies()
    {
        var token = _sessions.Issue("alice", "totp", "s1");
        var claims = await _sessions.ValidateAsync(token, CancellationToken.None);
        Assert.That((claims.User, claims.Plugin, claims.SessionId), Is.EqualTo(("alice", "totp", "s1")));
        Assert.That(claims.ExpiresAt - claims.IssuedAt, Is.EqualTo((long)_settings.SessionTokenTtl.TotalMilliseconds));
    }

    [Test]
    public async Task Altered_forged_expired_and_ended_session_tokens_are_refused_with_their_reasons()
    {
        var token = _sessions.Issue("alice", "totp", "s1");
        var altered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        var otherHost = new SessionTokenService(_store, _settings, _time).Issue("alice", "totp", "s1");
        Assert.Multiple(() =>
        {
            Assert.That(Reason(() => _sessions.ValidateAsync(altered, CancellationToken.None)), Is.EqualTo("token_invalid"));
            Assert.That(Reason(() => _sessions.ValidateAsync(otherHost, CancellationToken.None)), Is.EqualTo("token_invalid"));
            Assert.That(Reason(() => _sessions.ValidateAsync("garbage", CancellationToken.None)), Is.EqualTo("token_invalid"));
        });

        await _sessions.SessionEndedAsync("s1", CancellationToken.None);
        Assert.That(Reason(() => _sessions.ValidateAsync(token, CancellationToken.None)), Is.EqualTo("token_invalid"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var later = _sessions.Issue("alice", "totp", "s1");
        Assert.That(await _sessions.ValidateAsync(later, CancellationToken.None), Is.Not.Null, "a new login on a reused session id is valid again");

        _time.Advance(_settings.SessionTokenTtl);
        Assert.That(Reason(() => _sessions.ValidateAsync(later, CancellationToken.None)), Is.EqualTo("token_expired"));
    }

    [Test]
    public async Task A_shared_signing_key_lets_another_host_verify()
    {
        var shared = _settings with { SigningKey = new byte[32] };
        var token = new SessionTokenService(_store, shared, _time).Issue("alice", "totp", "s1");
        var claims = await new SessionTokenService(_store, shared, _time).ValidateAsync(token, CancellationToken.None);
        Assert.That(claims.User, Is.EqualTo("alice"));
    }

    [Test]
    public async Task A_ticket_is_eight_characters_and_valid_for_one_verify()
    {
        var issued = await _tickets.IssueAsync(_sessions.Issue("alice", "totp", "s1"), "cicsprod", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(issued.Ticket, Does.Match("^[A-Z0-9]{8}$"));
            Assert.That((issued.UserId, issued.ApplicationName), Is.EqualTo(("alice", "CICSPROD")));
            Assert.That(issued.ExpiresAt, Is.EqualTo(_time.GetUtcNow().AddSeconds(60)));
        });
        Assert.That(await _tickets.VerifyAsync("alice", "CICSPROD", issued.Ticket, CancellationToken.None), Is.Null);
        Assert.That(await _tickets.VerifyAsync("alice", "CICSPROD", issued.Ticket, CancellationToken.None), Is.EqualTo("replayed"));
    }

    [Test]
    public async Task A_ticket_verified_late_is_expired_and_a_wrong_one_unknown()
    {
        var issued = await _tickets.IssueAsync(_sessions.Issue("alice", "totp", "s1"), "IMS1", CancellationToken.None);
        Assert.That(await _tickets.VerifyAsync("bob", "IMS1", issued.Ticket, CancellationToken.None), Is.EqualTo("unknown"));
        Assert.That(await _tickets.VerifyAsync("alice", "OTHER", issued.Ticket, CancellationToken.None), Is.EqualTo("unknown"));
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.That(await _tickets.VerifyAsync("alice", "IMS1", issued.Ticket, CancellationToken.None), Is.EqualTo("expired"));
    }

    [Test]
    public async Task A_hundred_concurrent_verifies_of_one_ticket_give_exactly_one_valid()
    {
        var issued = await _tickets.IssueAsync(_sessions.Issue("alice", "totp", "s1"), "IMS1", CancellationToken.None);
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => _tickets.VerifyAsync("alice", "IMS1", issued.Ticket, CancellationToken.None))));
        Assert.That(results.Count(r => r is null), Is.EqualTo(1));
        Assert.That(results.Where(r => r is not null), Is.All.EqualTo("replayed"));
    }

    [TestCase("")]
    [TestCase("TOOLONGID")]
    [TestCase("BAD-ID")]
    public void A_malformed_applid_is_refused(string applid) =>
        Assert.That(Reason(() => _tickets.IssueAsync(_sessions.Issue("alice", "totp", "s1"), applid, CancellationToken.None)), Is.EqualTo("applid_invalid"));

    private static string? Reason(Func<Task> call)
    {
        try
        {
            call().GetAwaiter().GetResult();
            return null;
        }
        catch (TicketRefusedException e)
        {
            return e.Reason;
        }
    }
}
