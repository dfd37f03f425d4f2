using System.Globalization;
using System.Text.Json.Nodes;
using MfaHost.Plugins.Totp.Administration;
using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Totp;

/// <summary>
/// Pending enrollments: <c>enroll</c> creates one, and it becomes the user's enrollment with the first valid code from
/// it (the <c>confirm</c> operation, or a login with a code or a scratch code of the new enrollment). Until then an
/// enrollment the user already has keeps working, so an enrollment nobody saw strands no one.
/// </summary>
public sealed partial class TotpClient
{
    // A login with no match in the active enrollment (or none): a code of the user's pending enrollment confirms it.
    // Null when the user has no pending enrollment.
    private async ValueTask<MfaVerdict?> TryPendingAsync(string user, string code, CancellationToken cancellationToken)
    {
        if (await _enrollments.GetPendingAsync(user, cancellationToken) is not ({ } pending, _))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (IsCode(code, pending.Digits) && pending.CreateTotp().VerifyTotp(now.UtcDateTime, code, out var step, _window))
        {
            if (!await ClaimStepAsync(pending, step, cancellationToken))
            {
                LogReplayed(Logger, user, step);
                return MfaVerdict.Deny(MfaReasons.Replayed, "This one-time password was already used: wait for the next one");
            }

            await ConfirmAsync(pending, "a login", cancellationToken);
            return MfaVerdict.Accept(message: "Your new authenticator enrollment is now active");
        }

        if (await _enrollments.TryUsePendingScratchCodeAsync(user, code, cancellationToken))
        {
            await ConfirmAsync(pending, "a scratch code", cancellationToken);
            return MfaVerdict.Accept(message: "Scratch code accepted (each works once); your new enrollment is now active");
        }

        LogRejected(Logger, user);
        return MfaVerdict.Deny(MfaReasons.AuthenticationFailed, WrongCode);
    }

    // As a login claims its step (VerifyAsync), so the confirming code cannot be used again.
    private ValueTask<bool> ClaimStepAsync(TotpEnrollment enrollment, long step, CancellationToken cancellationToken)
    {
        var reach = Math.Max(_settings.Window, _settings.ResyncWindow);
        return Context.State.TryAddAsync(
            $"used/{TotpEnrollmentStore.KeyOf(enrollment.User)}/{step.ToString(CultureInfo.InvariantCulture)}", "1", DateTimeOffset.FromUnixTimeSeconds((step + reach + 2) * enrollment.Period), cancellationToken);
    }

    private async ValueTask ConfirmAsync(TotpEnrollment pending, string how, CancellationToken cancellationToken)
    {
        if (await _enrollments.ConfirmAsync(pending, cancellationToken))
        {
            LogConfirmed(Logger, pending.User, how);
        }
    }

    private async ValueTask<JsonNode> ConfirmOperationAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        var user = AdminArguments.RequiredString(arguments, "user");
        var code = AdminArguments.RequiredString(arguments, "code").Trim();
        if (await _enrollments.GetPendingAsync(user, cancellationToken) is not ({ } pending, _))
        {
            throw new MfaAdminException($"{user} has no pending enrollment in instance '{Context.InstanceName}' (never enrolled, already confirmed, or expired after pending_ttl)");
        }

        var now = _time.GetUtcNow();
        if (!IsCode(code, pending.Digits) || !pending.CreateTotp().VerifyTotp(now.UtcDateTime, code, out var step, _window))
        {
            throw new MfaAdminException($"the code is not a current code of {user}'s pending enrollment: check the app's entry and its clock, and try the next code");
        }

        if (!await ClaimStepAsync(pending, step, cancellationToken))
        {
            throw new MfaAdminException("this code was already used: wait for the next one");
        }

        await ConfirmAsync(pending, "mfahost totp confirm", cancellationToken);
        return new JsonObject { ["user"] = user, ["confirmed"] = true };
    }

    [LoggerMessage(EventId = 4017, Level = LogLevel.Information, Message = "TOTP enrollment of {User} confirmed by {How}: it is now the user's enrollment")]
    private static partial void LogConfirmed(ILogger logger, string user, string how);
}
