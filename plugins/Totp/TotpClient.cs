using System.Globalization;
using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;
using OtpNet;

namespace MfaHost.Plugins.Totp;

/// <summary>
/// The <c>totp</c> plugin: one-time passwords from authenticator apps (RFC 6238), verified locally against the
/// enrollments in the host's state store (<c>mfahost totp enroll</c>; codes computed and checked by Otp.NET), with replay protection
/// and single-use scratch codes. TOTP has no push: a push request is answered with a question for the code.
/// </summary>
/// <remarks>
/// <para>Replay: the time step a code matched is claimed with an atomic <c>TryAdd</c> of <c>used/&lt;user&gt;/&lt;step&gt;</c>,
/// expiring once that step can no longer match (so the claim survives restarts and is shared with other hosts on the store).</para>
/// <para>Guessing: the lock-out is the host's (<c>[lockout]</c> of the instance file, the same for every plugin): wrong and
/// replayed codes (DENY <c>authentication_failed</c>, <c>replayed</c>) count there, and a locked-out identity never reaches
/// this plugin, so its scratch codes are refused during the lock too. The host also runs one code check per identity at a
/// time, so parallel guesses get no more tries than sequential ones. A success costs one write to the store (the step claim).</para>
/// </remarks>
[MfaPlugin("totp")]
[MfaPluginOptions("totp", "issuer", "digits", "period", "algorithm", "window", "resync_window", "max_failures", "failure_window", "scratch_codes", "seed_key", "seed_key_previous", "pending_ttl")]
public sealed partial class TotpClient : MfaClient
{
    /// <summary>The reason word of a DENY for a user with no enrollment (the gateway shows the user the same message as for a wrong code).</summary>
    public const string NotEnrolledReason = "not_enrolled";

    /// <summary>The message of a wrong code, and of a code for a user who is not enrolled.</summary>
    public const string WrongCode = "Authentication failed";

    /// <summary>The question asked for the code when a push is requested.</summary>
    public const string OtpQuestion = "One-time password: ";

    // The plugin's own lock-out before the host's: accepted so that old instance files still load, and ignored.
    private static readonly string[] SupersededOptions = ["max_failures", "failure_window"];

    private readonly TotpSettings _settings;
    private readonly TotpEnrollmentStore _enrollments;
    private readonly TimeProvider _time;
    private readonly VerificationWindow _window;

    /// <summary>Creates the plugin instance from its <c>[totp]</c> section.</summary>
    /// <param name="context">What the host hands the instance.</param>
    public TotpClient(MfaPluginContext context)
        : base(context, "TOTP")
    {
        _settings = TotpSettings.FromConfiguration(context.Configuration);
        _time = context.TimeProvider;
        _enrollments = new TotpEnrollmentStore(context.State, _time, SeedProtector.FromConfiguration(context.Configuration));
        _window = _settings.VerificationWindow;
        var section = context.Configuration.Section(TotpSettings.SectionName);
        foreach (var option in SupersededOptions.Where(o => section.GetString(o) is not null))
        {
            LogSuperseded(Logger, option);
        }

        PrepareSeeds(context);
    }

    /// <inheritdoc />
    /// <remarks>Asked for the code whether enrolled or not: refusing an unknown user at once would tell which names exist.</remarks>
    protected override ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<MfaResult>(MfaVerdict.NeedInfo(OtpQuestion, "otp", disableEcho: true, message: "TOTP has no push notification: type the code from your authenticator app"));

    /// <inheritdoc />
    protected override async ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken)
    {
        var user = request.MfaIdentity;
        var enrollment = await _enrollments.GetAsync(user, cancellationToken);
        if (enrollment is null)
        {
            return await TryPendingAsync(user, otp.Trim(), cancellationToken) ?? NotEnrolled(user);
        }

        return await VerifyAsync(enrollment, otp.Trim(), cancellationToken);
    }

    // The user's window around their drifted step; failing that, the resync window around the true step. Null: no match.
    private (long Step, bool Resynced)? Matches(TotpEnrollment enrollment, DateTimeOffset now, string code)
    {
        var totp = _enrollments.VerifierOf(enrollment);
        if (totp.VerifyTotp(now.UtcDateTime.AddSeconds((double)enrollment.Drift * enrollment.Period), code, out var step, _window))
        {
            return (step, false);
        }

        return _settings.ResyncWindow > 0 && totp.VerifyTotp(now.UtcDateTime, code, out step, new VerificationWindow(_settings.ResyncWindow, _settings.ResyncWindow))
            ? (step, true)
            : null;
    }

    private async ValueTask<MfaVerdict> VerifyAsync(TotpEnrollment enrollment, string code, CancellationToken cancellationToken)
    {
        var user = enrollment.User;
        var userKey = TotpEnrollmentStore.KeyOf(user);
        var now = _time.GetUtcNow();

        if (IsCode(code, enrollment.Digits) && Matches(enrollment, now, code) is (var step, var resynced))
        {
            // The step stays claimed until it has left every window of any host (one extra step of margin for clock skew).
            var reach = Math.Max(_settings.Window + Math.Abs(enrollment.Drift), _settings.ResyncWindow);
            var expires = DateTimeOffset.FromUnixTimeSeconds((step + reach + 2) * enrollment.Period);
            if (!await Context.State.TryAddAsync($"used/{userKey}/{step.ToString(CultureInfo.InvariantCulture)}", "1", expires, cancellationToken))
            {
                LogReplayed(Logger, user, step);
                return MfaVerdict.Deny(MfaReasons.Replayed, "This one-time password was already used: wait for the next one");
            }

            if (resynced)
            {
                var drift = (int)(step - (now.ToUnixTimeSeconds() / enrollment.Period));
                await _enrollments.RecordDriftAsync(enrollment, drift, cancellationToken);
                LogResynced(Logger, user, drift);
            }

            LogAccepted(Logger, user, step);
            return MfaVerdict.Accept();
        }

        if (await _enrollments.TryUseScratchCodeAsync(user, code, cancellationToken))
        {
            LogScratchCodeUsed(Logger, user);
            return MfaVerdict.Accept(message: "Scratch code accepted (each works once)");
        }

        if (await TryPendingAsync(user, code, cancellationToken) is { } pending)
        {
            return pending;
        }

        LogRejected(Logger, user);

        // The same words as for a user who is not enrolled (no user enumeration); the log says which.
        return MfaVerdict.Deny(MfaReasons.AuthenticationFailed, WrongCode);
    }

    // Otp.NET compares whatever it is given; only exactly the enrolled number of ASCII digits can be a code.
    private static bool IsCode(string code, int digits) => code.Length == digits && code.All(char.IsAsciiDigit);

    private MfaVerdict NotEnrolled(string user)
    {
        LogNotEnrolled(Logger, user);
        return MfaVerdict.Deny(NotEnrolledReason, WrongCode);
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "TOTP accepted for {User} (time step {Step})")]
    private static partial void LogAccepted(ILogger logger, string user, long step);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "TOTP rejected for {User}: wrong code")]
    private static partial void LogRejected(ILogger logger, string user);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "TOTP replay refused for {User}: time step {Step} was already used")]
    private static partial void LogReplayed(ILogger logger, string user, long step);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "[totp] {Option} is ignored: the lock-out after wrong codes is the host's ([lockout] failures, window, duration in this instance file; docs/operations.md)")]
    private static partial void LogSuperseded(ILogger logger, string option);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "TOTP scratch code used by {User}")]
    private static partial void LogScratchCodeUsed(ILogger logger, string user);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "TOTP clock drift of {User} recorded: {Drift} step(s)")]
    private static partial void LogResynced(ILogger logger, string user, int drift);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "TOTP refused for {User}: not enrolled")]
    private static partial void LogNotEnrolled(ILogger logger, string user);
}
