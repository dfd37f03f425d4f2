using MfaHost.Configuration;
using MfaHost.PluginSdk;

namespace MfaHost.Pipeline.Steps;

/// <summary><c>[whitelist]</c>: a whitelisted user is ACCEPT <c>whitelisted</c> without a second factor (the questions are still asked).</summary>
internal sealed class WhitelistStep : IAuthenticationStep
{
    private static readonly MfaVerdict Whitelisted = MfaVerdict.Accept(MfaReasons.Whitelisted, "User whitelisted");

    public bool IsOn(PipelineSettings settings) => settings.Whitelist.AllowAllUsers || settings.Whitelist.Users.Count > 0;

    public ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken) =>
        login.Answering is null && login.Settings.Whitelist.IsWhitelisted(login.Username)
            ? ValueTask.FromResult(login.Outcome(Whitelisted))
            : next(login, cancellationToken);
}
