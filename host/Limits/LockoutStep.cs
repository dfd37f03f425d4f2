using System.Globalization;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;
using MfaHost.Configuration;

namespace MfaHost.Limits;

/// <summary>
/// <c>[lockout]</c>: <c>failures</c> DENY <c>authentication_failed</c> (or <c>replayed</c>) answers for one identity
/// within <c>window</c> (counted from the first) lock it out for <c>duration</c>: every attempt is DENY
/// <c>locked_out</c> without calling the plugin, and is not counted, so it never extends the lock. An ACCEPT
/// clears the count (failing open does not). One-time-password attempts of one identity run one at a time in a host (a striped gate),
/// so a burst of parallel guesses gets no more tries than a sequence would. Across hosts sharing the store the gate does
/// not reach: there an attempt may be with the plugin while another host counts the last allowed failure, so an ACCEPT
/// is given only if the count is still below the limit afterwards; every step is one atomic store operation.
/// </summary>
internal sealed class LockoutStep(LimitState state, TimeProvider timeProvider, ILogger<LockoutStep> logger) : IAuthenticationStep, IDisposable
{
    private readonly SemaphoreSlim[] _gates = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];

    public bool IsOn(PipelineSettings settings) => settings.Limits.LockoutEnabled;

    public async ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
    {
        var settings = login.Settings.Limits;

        // Pushes are not gated: they wait for a person, and a guess needs a code.
        var gate = login.Otp is null ? null : _gates[(int)((uint)HashCode.Combine(login.Instance.Name, login.MfaIdentity) % (uint)_gates.Length)];
        if (gate is not null)
        {
            await gate.WaitAsync(cancellationToken);
        }

        try
        {
            return await DecideAsync(login, next, settings, cancellationToken);
        }
        finally
        {
            gate?.Release();
        }
    }

    public void Dispose()
    {
        foreach (var gate in _gates)
        {
            gate.Dispose();
        }
    }

    private async ValueTask<AuthenticationOutcome> DecideAsync(LoginContext login, NextStep next, LimitSettings settings, CancellationToken cancellationToken)
    {
        var store = state.For(login.Instance.Name);
        var identity = login.MfaIdentity;
        var (locked, until) = await store.TryGetExpiryAsync(LimitState.Locked + identity, cancellationToken);
        if (locked)
        {
            return LockedOut(login, until);
        }

        var outcome = await next(login, cancellationToken);
        var verdict = outcome.Verdict;

        // Failing open (the service unreachable) is no proof of the user: it leaves the count as it is.
        if (verdict.IsAccept && verdict.Reason != MfaReasons.AcceptedServiceUnreachable)
        {
            if (await store.GetAsync(LimitState.Failures + identity, cancellationToken) is { } counted)
            {
                // Another host sharing the store may have counted the last allowed failure while this attempt was with
                // the plugin (the gate above is per host): the lock wins, so no attempt beyond the budget succeeds.
                if (long.Parse(counted, CultureInfo.InvariantCulture) >= settings.LockoutFailures)
                {
                    return LockedOut(login, (await store.TryGetExpiryAsync(LimitState.Locked + identity, cancellationToken)).ExpiresAt);
                }

                await store.RemoveAsync(LimitState.Failures + identity, cancellationToken);
            }
        }
        else if (!verdict.IsNeedInfo && verdict.Reason is MfaReasons.AuthenticationFailed or MfaReasons.Replayed)
        {
            var now = timeProvider.GetUtcNow();
            var failures = await store.IncrementAsync(LimitState.Failures + identity, now + settings.LockoutWindow, cancellationToken);

            // One lock per lock-out, whichever host counts the last failure (an atomic add: an attempt that was in flight
            // on another host neither extends it nor locks twice). The count is kept as long as the lock, for the check above.
            var count = failures.ToString(CultureInfo.InvariantCulture);
            if (failures >= settings.LockoutFailures && await store.TryAddAsync(LimitState.Locked + identity, count, now + settings.LockoutDuration, cancellationToken))
            {
                await store.SetAsync(LimitState.Failures + identity, count, now + settings.LockoutDuration, cancellationToken);
                LimitsLog.LockedOut(logger, login.Instance.Name, identity, failures, (int)settings.LockoutDuration.TotalSeconds);
            }
        }

        return outcome;
    }

    private AuthenticationOutcome LockedOut(LoginContext login, DateTimeOffset? until)
    {
        var left = LimitState.SecondsLeft(timeProvider.GetUtcNow(), until);
        LimitsLog.RefusedLockedOut(logger, login.Instance.Name, login.MfaIdentity, left, login.SessionId);
        return login.Outcome(MfaVerdict.Deny(MfaReasons.LockedOut, $"Too many failed attempts: try again in {left} s"));
    }
}
