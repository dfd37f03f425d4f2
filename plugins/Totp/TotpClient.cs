using System.Globalization;
using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;
using OtpNet;

namespace MfaHost.Plugins.Totp;

/// <summary>
/// The <c>totp</c> plugin: one-time passwords from authenticator apps (RFC 6238), verified locally against the
/// enrollments in the host's state store (<c>mfahost totp enroll</c>; codes computed and checked by Otp.NET), with replay protection, a per-identity
/// failure limit and single-use scratch codes. TOTP has no push: a push request is answered with a question for the code.
/// </summary>
/// <remarks>
/// <para>Replay: the time step a code matched is claimed with an atomic <c>TryAdd</c> of <c>used/&lt;user&gt;/&lt;step&gt;</c>,
/// expiring once that step can no longer match (so the claim survives restarts and is shared with other hosts on the store).</para>
/// <para>Rate limit: each wrong (or replayed) code increments <c>failures/&lt;user&gt;</c>, a counter that expires
/// <see cref="TotpSettings.FailureWindow"/> after the first failure it counts and is cleared by a success. At
/// <see cref="TotpSettings.MaxFailures"/> the identity is locked out until the counter expires. Attempts during the lock
/// are refused without being counted, so they do not extend it (and the expiry is fixed when the counter starts): an
/// attacker can keep a user locked out only by failing again in every window, never forever with one burst. The user's
/// scratch codes are refused during the lock too, since they are guesses like any other. Verifications of one identity
/// run one at a time in a host (a striped gate), so parallel guesses get no more tries than sequential ones; a success
/// costs one write to the store (the step claim).</para>
/// </remarks>
[MfaPlugin("totp")]
public sealed partial class TotpClient : MfaClient
{
    /// <summary>The question asked for the code when a push is requested.</summary>
    public const string OtpQuestion = "One-time password: ";

    private readonly TotpSettings _settings;
    private readonly TotpEnrollmentStore _enrollments;
    private readonly TimeProvider _time;
    private readonly VerificationWindow _window;
    private readonly SemaphoreSlim[] _identityGates = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>Creates the plugin instance from its <c>[totp]</c> section.</summary>
    /// <param name="context">What the host hands the instance.</param>
    public TotpClient(MfaPluginContext context)
        : base(context, "TOTP")
    {
        _settings = TotpSettings.FromConfiguration(context.Configuration);
        _time = context.TimeProvider;
        _enrollments = new TotpEnrollmentStore(context.State, _time);
        _window = _settings.VerificationWindow;
    }

    /// <inheritdoc />
    protected override async ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken)
    {
        if (await _enrollments.GetAsync(request.MfaIdentity, cancellationToken) is null)
        {
            return NotEnrolled(request.MfaIdentity);
        }

        return MfaVerdict.NeedInfo(OtpQuestion, "otp", disableEcho: true, message: "TOTP has no push notification: type the code from your authenticator app");
    }

    /// <inheritdoc />
    protected override async ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken)
    {
        var user = request.MfaIdentity;
        var enrollment = await _enrollments.GetAsync(user, cancellationToken);
        if (enrollment is null)
        {
            return NotEnrolled(user);
        }

        // One verification per identity at a time in this process: the failure count read below cannot go stale
        // while this attempt runs, so a burst of parallel guesses gets no more tries than a sequence would.
        var gate = _identityGates[(int)((uint)StringComparer.Ordinal.GetHashCode(user) % (uint)_identityGates.Length)];
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await VerifyAsync(enrollment, otp.Trim(), cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        foreach (var gate in _identityGates)
        {
            gate.Dispose();
        }

        await base.DisposeAsync();
    }

    private async ValueTask<MfaVerdict> VerifyAsync(TotpEnrollment enrollment, string code, CancellationToken cancellationToken)
    {
        var user = enrollment.User;
        var userKey = TotpEnrollmentStore.KeyOf(user);
        var failuresKey = "failures/" + userKey;
        var now = _time.GetUtcNow();
        var failures = await Context.State.GetAsync(failuresKey, cancellationToken) is { } counted ? long.Parse(counted, CultureInfo.InvariantCulture) : 0;
        if (failures >= _settings.MaxFailures)
        {
            var (_, until) = await Context.State.TryGetExpiryAsync(failuresKey, cancellationToken);
            var wait = Math.Max(1, (int)Math.Ceiling(((until ?? now) - now).TotalSeconds));
            LogLockedOut(Logger, user, failures, wait);
            return MfaVerdict.Deny(MfaReasons.LockedOut, $"Too many failed one-time passwords: try again in {wait} s");
        }

        if (IsCode(code, enrollment.Digits) && enrollment.CreateTotp().VerifyTotp(now.UtcDateTime, code, out var step, _window))
        {
            // The step stays claimed until it has left every window of any host (one extra step of margin for clock skew).
            var expires = DateTimeOffset.FromUnixTimeSeconds((step + _settings.Window + 2) * enrollment.Period);
            if (!await Context.State.TryAddAsync($"used/{userKey}/{step.ToString(CultureInfo.InvariantCulture)}", "1", expires, cancellationToken))
            {
                await CountFailureAsync(failuresKey, now, cancellationToken);
                LogReplayed(Logger, user, step);
                return MfaVerdict.Deny(MfaReasons.Replayed, "This one-time password was already used: wait for the next one");
            }

            await ClearFailuresAsync(failuresKey, failures, cancellationToken);
            LogAccepted(Logger, user, step);
            return MfaVerdict.Accept();
        }

        if (await _enrollments.TryUseScratchCodeAsync(user, code, cancellationToken))
        {
            await ClearFailuresAsync(failuresKey, failures, cancellationToken);
            LogScratchCodeUsed(Logger, user);
            return MfaVerdict.Accept(message: "Scratch code accepted (each works once)");
        }

        var attempt = await CountFailureAsync(failuresKey, now, cancellationToken);
        LogRejected(Logger, user, attempt, _settings.MaxFailures);
        return MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "Wrong one-time password");
    }

    // Otp.NET compares whatever it is given; only exactly the enrolled number of ASCII digits can be a code.
    private static bool IsCode(string code, int digits) => code.Length == digits && code.All(char.IsAsciiDigit);

    // The window starts at the first failure and does not move: later failures (and attempts while locked) never extend it.
    private ValueTask<long> CountFailureAsync(string failuresKey, DateTimeOffset now, CancellationToken cancellationToken) =>
        Context.State.IncrementAsync(failuresKey, now + _settings.FailureWindow, cancellationToken);

    private async ValueTask ClearFailuresAsync(string failuresKey, long failures, CancellationToken cancellationToken)
    {
        if (failures > 0)
        {
            await Context.State.RemoveAsync(failuresKey, cancellationToken);
        }
    }

    private MfaVerdict NotEnrolled(string user)
    {
        LogNotEnrolled(Logger, user);
        return MfaVerdict.Deny(MfaReasons.AuthenticationFailed, $"User {user} is not enrolled for TOTP");
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "TOTP accepted for {User} (time step {Step})")]
    private static partial void LogAccepted(ILogger logger, string user, long step);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "TOTP rejected for {User}: wrong code (attempt {Attempt} of {Max} in the failure window)")]
    private static partial void LogRejected(ILogger logger, string user, long attempt, int max);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "TOTP replay refused for {User}: time step {Step} was already used")]
    private static partial void LogReplayed(ILogger logger, string user, long step);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "TOTP locked out {User} after {Failures} failed attempts; {Wait} s left")]
    private static partial void LogLockedOut(ILogger logger, string user, long failures, int wait);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "TOTP scratch code used by {User}")]
    private static partial void LogScratchCodeUsed(ILogger logger, string user);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "TOTP refused for {User}: not enrolled")]
    private static partial void LogNotEnrolled(ILogger logger, string user);
}
