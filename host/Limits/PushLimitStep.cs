using MfaHost.Configuration;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Limits;

/// <summary>
/// <c>[push_limit]</c>: more than <c>max</c> push requests for one identity within <c>window</c> (counted from the
/// first) are DENY <c>push_rate_limited</c>, and no push is sent (OWASP ASVS V6.6.4: push-bombing).
/// </summary>
internal sealed class PushLimitStep(LimitState state, TimeProvider timeProvider, ILogger<PushLimitStep> logger) : IAuthenticationStep
{
    public bool IsOn(PipelineSettings settings) => settings.Limits.PushLimitEnabled;

    public ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken) =>
        // Only a plugin that can push sends a push; a password-only plugin (jazz) is never counted.
        login.Otp is not null || !login.Instance.Capabilities.HasFlag(MfaCapabilities.Push)
            ? next(login, cancellationToken)
            : CountAsync(login, next, cancellationToken);

    private async ValueTask<AuthenticationOutcome> CountAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
    {
        var settings = login.Settings.Limits;
        var store = state.For(login.Instance.Name);
        var key = LimitState.Pushes + login.MfaIdentity;
        var now = timeProvider.GetUtcNow();
        var pushes = await store.IncrementAsync(key, now + settings.PushWindow, cancellationToken);
        if (pushes > settings.PushMax)
        {
            var (_, until) = await store.TryGetExpiryAsync(key, cancellationToken);
            LimitsLog.PushRateLimited(logger, login.Instance.Name, login.MfaIdentity, pushes, settings.PushMax, login.SessionId);
            return login.Outcome(MfaVerdict.Deny(ReasonWords.PushRateLimited, $"Too many push requests: try again in {LimitState.SecondsLeft(now, until)} s, or type a one-time password"));
        }

        return await next(login, cancellationToken);
    }
}
