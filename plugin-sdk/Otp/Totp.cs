namespace MfaHost.PluginSdk;

/// <summary>
/// A time-based one-time password (RFC 6238): the HOTP of the number of <see cref="Step"/>-second steps
/// since the Unix epoch. Time comes from a <see cref="TimeProvider"/>. Thread-safe; keeps its own copy of the key.
/// </summary>
public sealed class Totp
{
    private readonly byte[] _key;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a generator and verifier for one secret.</summary>
    /// <param name="secretKey">The shared secret (raw bytes; see <see cref="Base32Encoding.ToBytes"/>).</param>
    /// <param name="step">Seconds per time step (30 in authenticator apps).</param>
    /// <param name="mode">The HMAC hash function.</param>
    /// <param name="totpSize">Digits per code, 6 to 8.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException">An empty key.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A step below one second, or fewer than 6 or more than 8 digits.</exception>
    public Totp(byte[] secretKey, int step = 30, OtpHashMode mode = OtpHashMode.Sha1, int totpSize = 6, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        OtpGenerator.ValidateDigits(totpSize, nameof(totpSize));
        _key = OtpGenerator.CopyKey(secretKey, nameof(secretKey));
        Step = step;
        Mode = mode;
        Digits = totpSize;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Seconds per time step.</summary>
    public int Step { get; }

    /// <summary>The HMAC hash function.</summary>
    public OtpHashMode Mode { get; }

    /// <summary>Digits per code.</summary>
    public int Digits { get; }

    /// <summary>The time step that contains <paramref name="time"/>.</summary>
    /// <param name="time">A moment.</param>
    /// <returns>Whole steps since the Unix epoch.</returns>
    public long GetTimeStep(DateTimeOffset time) => Math.DivRem(time.ToUnixTimeSeconds(), Step, out var rem) - (rem < 0 ? 1 : 0);

    /// <summary>When <paramref name="timeStep"/> begins.</summary>
    /// <param name="timeStep">A time step.</param>
    /// <returns>Its first second.</returns>
    public DateTimeOffset GetTimeStepStart(long timeStep) => DateTimeOffset.FromUnixTimeSeconds(timeStep * Step);

    /// <summary>The code for now.</summary>
    /// <returns>The code.</returns>
    public string ComputeTotp() => ComputeTotp(_timeProvider.GetUtcNow());

    /// <summary>The code for <paramref name="time"/>.</summary>
    /// <param name="time">A moment.</param>
    /// <returns>The code.</returns>
    public string ComputeTotp(DateTimeOffset time) => ComputeTotpAtStep(GetTimeStep(time));

    /// <summary>The code of <paramref name="timeStep"/>.</summary>
    /// <param name="timeStep">A time step.</param>
    /// <returns>The code.</returns>
    public string ComputeTotpAtStep(long timeStep) => OtpGenerator.Format(OtpGenerator.Compute(_key, Mode, timeStep, Digits), Digits);

    /// <summary>Seconds until the current code changes.</summary>
    /// <returns>1 to <see cref="Step"/>.</returns>
    public int RemainingSeconds()
    {
        var now = _timeProvider.GetUtcNow();
        return (int)((GetTimeStep(now) + 1) * Step - now.ToUnixTimeSeconds());
    }

    /// <summary>
    /// Whether <paramref name="totp"/> is the code of the current step or of one within <paramref name="window"/>;
    /// compared in constant time. Replay protection (refusing a step already used) is the caller's job:
    /// <paramref name="timeStepMatched"/> says which step to claim.
    /// </summary>
    /// <param name="totp">The code to check; anything but exactly <see cref="Digits"/> decimal digits is false.</param>
    /// <param name="timeStepMatched">The step whose code matched (0 when none did).</param>
    /// <param name="window">Steps also accepted; the current step only when null.</param>
    /// <returns>True when a step in the window matches.</returns>
    public bool VerifyTotp(string totp, out long timeStepMatched, VerificationWindow? window = null) =>
        VerifyTotp(_timeProvider.GetUtcNow(), totp, out timeStepMatched, window);

    /// <summary>As <see cref="VerifyTotp(string, out long, VerificationWindow?)"/>, at <paramref name="time"/> instead of now.</summary>
    /// <param name="time">The moment to verify at.</param>
    /// <param name="totp">The code to check.</param>
    /// <param name="timeStepMatched">The step whose code matched (0 when none did).</param>
    /// <param name="window">Steps also accepted; the current step only when null.</param>
    /// <returns>True when a step in the window matches.</returns>
    public bool VerifyTotp(DateTimeOffset time, string totp, out long timeStepMatched, VerificationWindow? window = null)
    {
        ArgumentNullException.ThrowIfNull(totp);
        window ??= VerificationWindow.CurrentStepOnly;
        var current = GetTimeStep(time);
        return OtpGenerator.Verify(_key, Mode, Digits, totp, current - window.Previous, current + window.Future, out timeStepMatched);
    }
}
