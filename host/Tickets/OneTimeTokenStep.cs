using MfaHost.Configuration;
using MfaHost.Pipeline;

namespace MfaHost.Tickets;

/// <summary>Before the plugin: a one-time token presented as <c>mfa_password</c> decides the login, where <c>[auth] allow_one_time_tokens = yes</c>.</summary>
internal sealed class OneTimeTokenStep(OneTimeTokenService tokens) : IAuthenticationStep
{
    public bool IsOn(PipelineSettings settings) => settings.AllowOneTimeTokens;

    public ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken) =>
        OneTimeTokenService.LooksLikeToken(login.Otp) ? RedeemAsync(login, cancellationToken) : next(login, cancellationToken);

    private async ValueTask<AuthenticationOutcome> RedeemAsync(LoginContext login, CancellationToken cancellationToken) =>
        login.Outcome(await tokens.RedeemAsync(login.Username, login.Otp!, cancellationToken));
}
