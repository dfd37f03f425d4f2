using MfaHost.Configuration;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Logging;

namespace MfaHost.Pipeline.Steps;

/// <summary>
/// <c>[authentication_cache]</c>: a recent real authentication of the same user from the same client IP is reused
/// (ACCEPT <c>cached</c>) within its limits; an ACCEPT from the steps after it (not a fail-open one) starts a new entry.
/// Without the state store the login simply goes on: the cache only ever saves an MFA.
/// </summary>
internal sealed class AuthenticationCacheStep(AuthenticationCache cache, ILogger<AuthenticationPipeline> logger) : IAuthenticationStep
{
    private static readonly MfaVerdict Cached = MfaVerdict.Accept(MfaReasons.Cached, "cached authentication");

    public bool IsOn(PipelineSettings settings) => settings.Cache.Enabled;

    public ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken) =>
        login.Request.ClientIp is { Length: > 0 } ip
            ? ReuseOrRefreshAsync(login, new AuthenticationCache.CacheKey(login.Instance.Name, login.Username, ip), next, cancellationToken)
            : next(login, cancellationToken); // No client address: no reuse, since one user's logins from anywhere would share the entry.

    private async ValueTask<AuthenticationOutcome> ReuseOrRefreshAsync(LoginContext login, AuthenticationCache.CacheKey key, NextStep next, CancellationToken cancellationToken)
    {
        if (login.Answering is null && await TryStateAsync(login, () => cache.TryReuseAsync(key, login.Settings.Cache, cancellationToken)))
        {
            return login.Outcome(Cached);
        }

        var outcome = await next(login, cancellationToken);

        // Failing open is no authentication to reuse.
        if (outcome.Verdict.IsAccept && outcome.Verdict.Reason != MfaReasons.AcceptedServiceUnreachable)
        {
            await TryStateAsync(login, async () =>
            {
                await cache.RefreshAsync(key, login.Settings.Cache, cancellationToken);
                return true;
            });
        }

        return outcome;
    }

    private async ValueTask<bool> TryStateAsync(LoginContext login, Func<ValueTask<bool>> use)
    {
        try
        {
            return await use();
        }
        catch (StateUnavailableException e)
        {
            StateLog.CacheSkipped(logger, login.Instance.Name, login.Username, e.Message);
            return false;
        }
    }
}
