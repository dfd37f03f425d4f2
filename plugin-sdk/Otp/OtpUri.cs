using System.Globalization;
using System.Text;

namespace MfaHost.PluginSdk;

/// <summary>
/// An <c>otpauth://totp/Issuer:account?secret=...&amp;issuer=...&amp;algorithm=SHA1&amp;digits=6&amp;period=30</c> URI
/// (the "Key Uri Format" authenticator apps scan from a QR code). Issuer and account are percent-encoded.
/// The URI contains the secret: show it to its owner only, never log it.
/// </summary>
public sealed class OtpUri
{
    /// <summary>Describes a TOTP key.</summary>
    /// <param name="secret">The secret in Base32 (normalized to upper case without padding).</param>
    /// <param name="account">The user's account name (no colon).</param>
    /// <param name="issuer">Who issued the key, shown by the app (no colon); empty for none.</param>
    /// <param name="algorithm">The HMAC hash function.</param>
    /// <param name="digits">Digits per code, 6 to 8.</param>
    /// <param name="period">Seconds per time step.</param>
    /// <exception cref="FormatException">A secret that is not Base32.</exception>
    /// <exception cref="ArgumentException">An empty account, or a colon in account or issuer.</exception>
    public OtpUri(string secret, string account, string issuer, OtpHashMode algorithm = OtpHashMode.Sha1, int digits = 6, int period = 30)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        ArgumentNullException.ThrowIfNull(issuer);
        OtpGenerator.ValidateDigits(digits, nameof(digits));
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (account.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("An otpauth account name may not contain ':'.", nameof(account));
        }

        if (issuer.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("An otpauth issuer may not contain ':'.", nameof(issuer));
        }

        Secret = Base32Encoding.ToString(Base32Encoding.ToBytes(secret));
        Account = account;
        Issuer = issuer;
        Algorithm = algorithm;
        Digits = digits;
        Period = period;
    }

    /// <summary>The secret in Base32, upper case, no padding.</summary>
    public string Secret { get; }

    /// <summary>The account name.</summary>
    public string Account { get; }

    /// <summary>The issuer; empty for none.</summary>
    public string Issuer { get; }

    /// <summary>The HMAC hash function.</summary>
    public OtpHashMode Algorithm { get; }

    /// <summary>Digits per code.</summary>
    public int Digits { get; }

    /// <summary>Seconds per time step.</summary>
    public int Period { get; }

    /// <summary>The name of <paramref name="mode"/> in an otpauth URI: SHA1, SHA256 or SHA512.</summary>
    /// <param name="mode">A hash mode.</param>
    /// <returns>Its URI name.</returns>
    public static string AlgorithmName(OtpHashMode mode) => mode switch
    {
        OtpHashMode.Sha1 => "SHA1",
        OtpHashMode.Sha256 => "SHA256",
        OtpHashMode.Sha512 => "SHA512",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown OTP hash mode."),
    };

    /// <summary>The URI as text.</summary>
    /// <returns>The otpauth URI.</returns>
    public override string ToString()
    {
        var text = new StringBuilder("otpauth://totp/");
        if (Issuer.Length > 0)
        {
            text.Append(Uri.EscapeDataString(Issuer)).Append(':');
        }

        text.Append(Uri.EscapeDataString(Account))
            .Append("?secret=").Append(Secret);
        if (Issuer.Length > 0)
        {
            text.Append("&issuer=").Append(Uri.EscapeDataString(Issuer));
        }

        text.Append("&algorithm=").Append(AlgorithmName(Algorithm))
            .Append("&digits=").Append(Digits.ToString(CultureInfo.InvariantCulture))
            .Append("&period=").Append(Period.ToString(CultureInfo.InvariantCulture));
        return text.ToString();
    }

    /// <summary>The URI.</summary>
    /// <returns>The otpauth URI.</returns>
    public Uri ToUri() => new(ToString());
}
