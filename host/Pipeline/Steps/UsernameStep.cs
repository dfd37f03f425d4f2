using MfaHost.PluginSdk;

namespace MfaHost.Pipeline.Steps;

/// <summary>A login without a username is DENY <c>no_username</c>: nobody to ask for a second factor.</summary>
internal sealed class UsernameStep : IAuthenticationStep
{
    private static readonly AuthenticationOutcome NoUsername = new(MfaVerdict.Deny(MfaReasons.NoUsername, "No username identified"), null);

    public ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(login.Username) ? ValueTask.FromResult(NoUsername) : next(login, cancellationToken);
}
