namespace MfaHost.Pipeline;

/// <summary>
/// Runs on every final ACCEPT (after the questions, once the session is counted), in registration order,
/// and may add to the outcome. Example: issuing a <see cref="AuthenticationOutcome.SessionToken"/>.
/// </summary>
internal interface IAcceptStep
{
    ValueTask<AuthenticationOutcome> OnAcceptAsync(LoginContext login, AuthenticationOutcome outcome, CancellationToken cancellationToken);
}
