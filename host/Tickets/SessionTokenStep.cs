using MfaHost.Pipeline;

namespace MfaHost.Tickets;

/// <summary>On every final ACCEPT: the host-signed session token a ticket caller may exchange for tickets.</summary>
internal sealed class SessionTokenStep(SessionTokenService sessionTokens) : IAuthenticationStep
{
    public async ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
    {
        var outcome = await next(login, cancellationToken);
        return outcome.Verdict.IsAccept ? outcome with { SessionToken = sessionTokens.Issue(login.Username, login.Instance.Name, login.SessionId) } : outcome;
    }
}
