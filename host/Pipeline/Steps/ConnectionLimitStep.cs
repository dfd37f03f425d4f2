using MfaHost.Configuration;
using MfaHost.PluginSdk;

namespace MfaHost.Pipeline.Steps;

/// <summary>
/// <c>[connection_limit] limit</c>: a new login of a (user, client IP) that already holds <c>limit</c> accepted sessions
/// is DENY <c>connection_limit</c> before anything else is asked; a final ACCEPT takes a slot (or is DENY
/// <c>connection_limit</c> after all, when another session took the last one meanwhile) until its session ends.
/// </summary>
internal sealed class ConnectionLimitStep(SessionLifetime lifetime) : IAuthenticationStep
{
    private static readonly MfaVerdict ConnectionLimitReached = MfaVerdict.Deny(MfaReasons.ConnectionLimit, "Too many concurrent sessions");

    public bool IsOn(PipelineSettings settings) => settings.ConnectionLimit > 0;

    public async ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
    {
        var slot = ConnectionLimiter.KeyOf(login.Instance.Name, login.Username, login.Request.ClientIp);
        var limit = login.Settings.ConnectionLimit;
        if (login.Answering is null && lifetime.Slots.IsFull(slot, login.SessionId, limit))
        {
            return login.Outcome(ConnectionLimitReached);
        }

        var outcome = await next(login, cancellationToken);
        if (!outcome.Verdict.IsAccept)
        {
            return outcome;
        }

        var session = lifetime.Track(login.SessionId);
        if (!lifetime.Slots.TryAcquire(slot, login.SessionId, limit))
        {
            return login.Outcome(ConnectionLimitReached);
        }

        if (session.IsEnded)
        {
            // session_ended overtook this ACCEPT: nothing will release the slot later.
            lifetime.Slots.Release(login.SessionId);
        }

        return outcome;
    }
}
