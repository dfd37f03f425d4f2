using MfaHost.Pipeline;

namespace MfaHost.Tickets;

/// <summary>On every final ACCEPT: the host-signed session token a ticket caller may exchange for tickets.</summary>
internal sealed class SessionTokenStep(SessionTokenService sessionTokens) : IAcceptStep
{
    public ValueTask<AuthenticationOutcome> OnAcceptAsync(LoginContext login, AuthenticationOutcome outcome, CancellationToken cancellationToken) =>
        ValueTask.FromResult(outcome with { SessionToken = sessionTokens.Issue(login.Username, login.Instance.Name, login.SessionId) });
}
