namespace MfaHost.Pipeline.Steps;

/// <summary>
/// After a final ACCEPT the session is tracked (<see cref="SessionLifetime"/>), even if no plugin saw it (whitelist,
/// cache), so its end reaches the connection limit and the session-ended listeners. Decides nothing.
/// </summary>
internal sealed class SessionTrackingStep(SessionLifetime lifetime) : IAuthenticationStep
{
    public async ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
    {
        var outcome = await next(login, cancellationToken);
        if (outcome.Verdict.IsAccept)
        {
            lifetime.Track(login.SessionId);
        }

        return outcome;
    }
}
