namespace MfaHost.PluginSdk;

/// <summary>
/// An HMAC-based one-time password (RFC 4226): the code for a counter. Thread-safe; keeps its own copy of the key.
/// </summary>
public sealed class Hotp
{
    private readonly byte[] _key;

    /// <summary>Creates a generator and verifier for one secret.</summary>
    /// <param name="secretKey">The shared secret (raw bytes; see <see cref="Base32Encoding.ToBytes"/>).</param>
    /// <param name="mode">The HMAC hash function.</param>
    /// <param name="hotpSize">Digits per code, 6 to 8.</param>
    /// <exception cref="ArgumentException">An empty key.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 6 or more than 8 digits.</exception>
    public Hotp(byte[] secretKey, OtpHashMode mode = OtpHashMode.Sha1, int hotpSize = 6)
    {
        OtpGenerator.ValidateDigits(hotpSize, nameof(hotpSize));
        _key = OtpGenerator.CopyKey(secretKey, nameof(secretKey));
        Mode = mode;
        Digits = hotpSize;
    }

    /// <summary>The HMAC hash function.</summary>
    public OtpHashMode Mode { get; }

    /// <summary>Digits per code.</summary>
    public int Digits { get; }

    /// <summary>The code for <paramref name="counter"/>, zero-padded to <see cref="Digits"/>.</summary>
    /// <param name="counter">The moving factor.</param>
    /// <returns>The code.</returns>
    public string ComputeHotp(long counter) => OtpGenerator.Format(OtpGenerator.Compute(_key, Mode, counter, Digits), Digits);

    /// <summary>Whether <paramref name="hotp"/> is the code for <paramref name="counter"/> (compared in constant time).</summary>
    /// <param name="hotp">The code to check; anything but exactly <see cref="Digits"/> decimal digits is false.</param>
    /// <param name="counter">The moving factor.</param>
    /// <returns>True when it matches.</returns>
    public bool VerifyHotp(string hotp, long counter)
    {
        ArgumentNullException.ThrowIfNull(hotp);
        return OtpGenerator.Verify(_key, Mode, Digits, hotp, counter, counter, out _);
    }
}
