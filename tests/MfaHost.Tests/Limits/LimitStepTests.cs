using MfaHost.Vocabulary;
using MfaHost.Limits;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Tests.Pipeline;
using Moq;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MfaHost.Configuration;

namespace MfaHost.Tests.Limits;

/// <summary>The limit steps on their own, over the in-memory store and a fake clock (the socket tests are in the acme and totp suites).</summary>
public sealed class LimitStepTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
    private InMemoryStateStore _store = null!;

    [SetUp]
    public void NewStore() => _store = new InMemoryStateStore(_time);

    private static LoginContext Call(LimitSettings limits, string? otp = "123456") => new()
    {
        Instance = new PluginInstance { Name = "test", Type = "test", ConfigFile = "test.ini", Client = PushingClient },
        Settings = PipelineSettings.Default with { Limits = limits },
        Request = new AuthenticationRequest { Plugin = "test", SessionId = "s1", Username = "alice" },
        MfaIdentity = "alice",
        Otp = otp,
    };

    // The push limit applies only to instances that can push: the scripted plugin pushes and takes codes.
    private static readonly ScriptedClient PushingClient = new(new MfaPluginContext
    {
        InstanceName = "test",
        Configuration = new PluginConfiguration(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), "test.ini", Mock.Of<ICredentialStore>()),
        Logger = NullLogger.Instance,
        TimeProvider = TimeProvider.System,
        Credentials = Mock.Of<ICredentialStore>(),
        HttpClientFactory = Mock.Of<IPluginHttpClientFactory>(),
        State = new InMemoryStateStore(TimeProvider.System),
    });

    private LockoutStep Lockout() => new(new LimitState(_store), _time, NullLogger<LockoutStep>.Instance);

    private static NextStep Answer(MfaVerdict verdict, Action? called = null) => (login, _) =>
    {
        called?.Invoke();
        return ValueTask.FromResult(login.Outcome(verdict));
    };

    /// <summary>The rest of the chain as a plugin that runs <paramref name="plugin"/>.</summary>
    private static NextStep Plugin(Func<CancellationToken, Task<MfaVerdict>> plugin) => async (login, ct) => login.Outcome(await plugin(ct));

    [Test]
    public async Task Failing_open_does_not_clear_the_failure_count()
    {
        var filter = Lockout();
        var limits = new LimitSettings { LockoutFailures = 2 };
        await filter.InvokeAsync(Call(limits), Answer(MfaVerdict.Deny()), default);
        await filter.InvokeAsync(Call(limits), Answer(MfaVerdict.Accept(MfaReasons.AcceptedServiceUnreachable)), default);
        await filter.InvokeAsync(Call(limits), Answer(MfaVerdict.Deny()), default);

        var called = false;
        var verdict = await filter.InvokeAsync(Call(limits), Answer(MfaVerdict.Accept(), () => called = true), default);
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.LockedOut));
            Assert.That(called, Is.False, "a locked-out identity never reaches the plugin");
        });
    }

    [Test]
    public async Task Other_denials_do_not_count_and_the_lock_ends_after_its_duration()
    {
        var filter = Lockout();
        var limits = new LimitSettings { LockoutFailures = 1, LockoutDuration = TimeSpan.FromSeconds(60) };
        for (var i = 0; i < 3; i++)
        {
            await filter.InvokeAsync(Call(limits), Answer(MfaVerdict.Deny(MfaReasons.ServiceUnreachable)), default);
        }

        Assert.That((await filter.InvokeAsync(Call(limits), Answer(MfaVerdict.Deny(MfaReasons.Replayed)), default)).Reason, Is.EqualTo(MfaReasons.Replayed));
        Assert.That((await filter.InvokeAsync(Call(limits), Answer(MfaVerdict.Accept()), default)).Reason, Is.EqualTo(MfaReasons.LockedOut));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.That((await filter.InvokeAsync(Call(limits), Answer(MfaVerdict.Accept()), default)).IsAccept, Is.True);
    }

    [Test]
    public async Task An_accept_that_was_with_the_plugin_while_another_host_counted_the_last_allowed_failure_is_locked_out()
    {
        // Two hosts on one store: each has its own filter (and gate); the store is what they share.
        var hostA = Lockout();
        var hostB = Lockout();
        var limits = new LimitSettings { LockoutFailures = 2 };
        await hostB.InvokeAsync(Call(limits), Answer(MfaVerdict.Deny()), default);

        var verdict = await hostA.InvokeAsync(Call(limits), Plugin(async ct =>
        {
            Assert.That((await hostB.InvokeAsync(Call(limits), Answer(MfaVerdict.Deny()), ct)).Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
            return MfaVerdict.Accept();
        }), default);

        Assert.Multiple(async () =>
        {
            Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.LockedOut), "the third attempt of a budget of two must not succeed");
            Assert.That((await hostA.InvokeAsync(Call(limits), Answer(MfaVerdict.Accept()), default)).Reason, Is.EqualTo(MfaReasons.LockedOut));
        });
    }

    [Test]
    public async Task A_failure_that_was_in_flight_on_another_host_when_the_lock_began_does_not_extend_it()
    {
        var hostA = Lockout();
        var hostB = Lockout();
        var limits = new LimitSettings { LockoutFailures = 1, LockoutDuration = TimeSpan.FromSeconds(60) };

        await hostA.InvokeAsync(Call(limits), Plugin(async ct =>
        {
            await hostB.InvokeAsync(Call(limits), Answer(MfaVerdict.Deny()), ct);
            _time.Advance(TimeSpan.FromSeconds(30));
            return MfaVerdict.Deny();
        }), default);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.That((await hostA.InvokeAsync(Call(limits), Answer(MfaVerdict.Accept()), default)).Reason, Is.EqualTo(MfaReasons.LockedOut));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That((await hostB.InvokeAsync(Call(limits), Answer(MfaVerdict.Accept()), default)).IsAccept, Is.True, "the lock ends 60 s after the failure that began it");
    }

    [Test]
    public async Task The_push_limit_window_starts_at_the_first_push_and_codes_are_not_counted()
    {
        var filter = new PushLimitStep(new LimitState(_store), _time, NullLogger<PushLimitStep>.Instance);
        var limits = new LimitSettings { PushMax = 1, PushWindow = TimeSpan.FromSeconds(100) };
        Assert.That((await filter.InvokeAsync(Call(limits, otp: null), Answer(MfaVerdict.Accept()), default)).IsAccept, Is.True);
        Assert.That((await filter.InvokeAsync(Call(limits, otp: "1"), Answer(MfaVerdict.Accept()), default)).IsAccept, Is.True);
        _time.Advance(TimeSpan.FromSeconds(99));
        var limited = await filter.InvokeAsync(Call(limits, otp: null), Answer(MfaVerdict.Accept()), default);
        Assert.That((limited.Reason, limited.Message), Is.EqualTo((ReasonWords.PushRateLimited, "Too many push requests: try again in 1 s, or type a one-time password")));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That((await filter.InvokeAsync(Call(limits, otp: null), Answer(MfaVerdict.Accept()), default)).IsAccept, Is.True);
    }
}

/// <summary>A step's verdict, as the tests were written against (the step on its own, its next given).</summary>
file static class StepInvocation
{
    public static async Task<MfaVerdict> InvokeAsync(this IAuthenticationStep step, LoginContext login, NextStep next, CancellationToken cancellationToken) =>
        (await step.RunAsync(login, next, cancellationToken)).Verdict;
}
