using OtpNet;

namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>
/// A user's TOTP enrollment as <see cref="TotpEnrollmentStore"/> keeps it: the secret and the parameters the user's
/// authenticator app was given. <see cref="Secret"/> is a secret: never log or display it after enrollment.
/// </summary>
internal sealed record TotpEnrollment
{
    /// <summary>The user (the request's MFA identity).</summary>
    public required string User { get; init; }

    /// <summary>The shared secret in Base32.</summary>
    public required string Secret { get; init; }

    /// <summary>The HMAC hash function.</summary>
    public OtpHashMode Algorithm { get; init; } = OtpHashMode.Sha1;

    /// <summary>Digits per code.</summary>
    public int Digits { get; init; } = 6;

    /// <summary>Seconds per time step.</summary>
    public int Period { get; init; } = 30;

    /// <summary>When the user was enrolled.</summary>
    public DateTimeOffset EnrolledAt { get; init; }

    /// <summary>How many scratch codes were issued.</summary>
    public int ScratchCodeCount { get; init; }

    /// <summary>The user's clock drift in steps, learnt from a code matched in the resync window (0: none).</summary>
    public int Drift { get; init; }

    /// <summary>Distinguishes this enrollment from an earlier one of the same user (scratch codes belong to one enrollment).</summary>
    public required string Id { get; init; }

    /// <summary>The name of <see cref="Algorithm"/> as otpauth URIs and authenticator apps spell it: SHA1, SHA256 or SHA512.</summary>
    public string AlgorithmName => Algorithm.ToString().ToUpperInvariant();

    /// <summary>An Otp.NET generator and verifier for this enrollment's codes (the caller passes the time).</summary>
    /// <returns>The generator.</returns>
    public OtpNet.Totp CreateTotp() => new(new HmacKey(Base32Encoding.ToBytes(Secret)), Period, Algorithm, Digits);

    /// <summary>The <c>otpauth://</c> URI for the user's authenticator app (contains the secret).</summary>
    /// <param name="issuer">The issuer shown in the app; empty for none.</param>
    /// <returns>The URI.</returns>
    public OtpUri ToOtpUri(string issuer) => new(OtpType.Totp, Secret, User, issuer, Algorithm, Digits, Period);

    // The record's generated ToString would print the secret: leave it out, so logging an enrollment is harmless.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"User = {User}, Algorithm = {Algorithm}, Digits = {Digits}, Period = {Period}, EnrolledAt = {EnrolledAt:O}, Id = {Id}, ScratchCodeCount = {ScratchCodeCount}, Drift = {Drift}");
        return true;
    }
}
