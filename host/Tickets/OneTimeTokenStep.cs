using MfaHost.Pipeline;
using MfaHost.PluginSdk;

namespace MfaHost.Tickets;

/// <summary>Before the plugin: a one-time token presented as <c>mfa_password</c> decides the login, where <c>[auth] allow_one_time_tokens = yes</c>.</summary>
internal sealed class OneTimeTokenStep(OneTimeTokenService tokens) : IPrePluginStep
{
    public async ValueTask<MfaVerdict?> RunAsync(LoginContext login, CancellationToken cancellationToken) =>
        login.Settings.AllowOneTimeTokens && OneTimeTokenService.LooksLikeToken(login.Otp)
            ? await tokens.RedeemAsync(login.Username, login.Otp!, cancellationToken)
            : null;
}
