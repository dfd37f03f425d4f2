using System.Security.Cryptography;

namespace MfaHost.PluginSdk;

/// <summary>Random OTP secrets from the operating system's cryptographic generator.</summary>
public static class OtpSecret
{
    /// <summary>160 bits: the length RFC 4226 recommends and SHA-1's output size.</summary>
    public const int DefaultLength = 20;

    /// <summary>Fewer bytes than 128 bits is refused (RFC 4226, requirement R6).</summary>
    public const int MinimumLength = 16;

    /// <summary>A random secret.</summary>
    /// <param name="length">Bytes, <see cref="MinimumLength"/> to 128.</param>
    /// <returns>The secret.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A length outside 16 to 128.</exception>
    public static byte[] Generate(int length = DefaultLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, MinimumLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 128);
        return RandomNumberGenerator.GetBytes(length);
    }

    /// <summary>A random secret in Base32 (upper case, no padding), as authenticator apps take it.</summary>
    /// <param name="length">Bytes, <see cref="MinimumLength"/> to 128.</param>
    /// <returns>The secret in Base32.</returns>
    public static string GenerateBase32(int length = DefaultLength) => Base32Encoding.ToString(Generate(length));
}
