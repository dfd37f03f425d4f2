using System.Globalization;
using System.Security.Cryptography;
using MfaHost.Configuration;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Limits;

/// <summary>
/// <c>[push] number_matching = yes</c>: before a push the host answers NEEDINFO (key <see cref="AnswerKey"/>) showing a
/// random two-digit number; the answer (Enter) sends the push with that number in <see cref="MfaRequest.PushNumber"/>,
/// so a service that supports it makes the user pick it on the phone. A code typed instead is taken as a one-time
/// password. The number waits in the state store under the session for <c>conversation_timeout</c> and is used once.
/// </summary>
internal sealed class NumberMatchingStep(LimitState state, HostSettings hostSettings, TimeProvider timeProvider, ILogger<NumberMatchingStep> logger) : IAuthenticationStep
{
    /// <summary>The NEEDINFO key; its answer comes back in the attributes under this name.</summary>
    public const string AnswerKey = "push_number";

    public bool IsOn(PipelineSettings settings) => settings.Limits.NumberMatching;

    public ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken) =>
        login.Otp is not null ? next(login, cancellationToken) : MatchAsync(login, next, cancellationToken);

    private async ValueTask<AuthenticationOutcome> MatchAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
    {
        var store = state.For(login.Instance.Name);
        var key = LimitState.Number + login.SessionId;
        if (login.Attributes.TryGetValue(AnswerKey, out var answer))
        {
            login = login with { Attributes = login.Attributes.Where(a => a.Key != AnswerKey).ToDictionary(StringComparer.Ordinal) };

            // Get, then remove: only the caller whose remove succeeds sends the push for this number.
            if (await store.GetAsync(key, cancellationToken) is { } shown && await store.RemoveAsync(key, cancellationToken) &&
                int.TryParse(shown, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                var typed = answer.Trim();
                return typed.Length > 0
                    ? await next(login with { Otp = typed }, cancellationToken)
                    : await next(login with { PushNumber = number }, cancellationToken);
            }
        }

        // A fresh push (or an answer whose number is gone): show a new number.
        var fresh = RandomNumberGenerator.GetInt32(10, 100);
        await store.SetAsync(key, fresh.ToString(CultureInfo.InvariantCulture), timeProvider.GetUtcNow() + hostSettings.ConversationTimeout, cancellationToken);
        LimitsLog.NumberShown(logger, login.Instance.Name, login.MfaIdentity, login.SessionId);
        return new AuthenticationOutcome(
            MfaVerdict.NeedInfo(
                $"Approve the request showing {fresh} on your phone; press Enter to send it",
                AnswerKey,
                disableEcho: false,
                message: "Number matching: pick the number shown here on your phone"),
            null);
    }
}
