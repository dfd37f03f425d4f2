using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Limits;

/// <summary>
/// <c>[push_limit]</c>: more than <c>max</c> push requests for one identity within <c>window</c> (counted from the
/// first) are DENY <c>push_rate_limited</c>, and no push is sent (OWASP ASVS V6.6.4: push-bombing).
/// </summary>
internal sealed class PushLimitFilter(LimitState state, TimeProvider timeProvider, ILogger<PushLimitFilter> logger) : IPluginCallFilter
{
    public async ValueTask<MfaVerdict> InvokeAsync(PluginCall call, PluginCallDelegate next, CancellationToken cancellationToken)
    {
        var login = call.Login;
        var settings = login.Settings.Limits;
        // Only a plugin that can push sends a push; a password-only plugin (jazz) is never counted.
        if (!settings.PushLimitEnabled || login.Otp is not null || !login.Instance.Capabilities.HasFlag(MfaCapabilities.Push))
        {
            return await next(call, cancellationToken);
        }

        var store = state.For(login.Instance.Name);
        var key = LimitState.Pushes + login.MfaIdentity;
        var now = timeProvider.GetUtcNow();
        var pushes = await store.IncrementAsync(key, now + settings.PushWindow, cancellationToken);
        if (pushes > settings.PushMax)
        {
            var (_, until) = await store.TryGetExpiryAsync(key, cancellationToken);
            LimitsLog.PushRateLimited(logger, login.Instance.Name, login.MfaIdentity, pushes, settings.PushMax, login.SessionId);
            return MfaVerdict.Deny(ReasonWords.PushRateLimited, $"Too many push requests: try again in {LimitState.SecondsLeft(now, until)} s, or type a one-time password");
        }

        return await next(call, cancellationToken);
    }
}
