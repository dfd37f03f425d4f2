using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MfaHost.PluginSdk;

/// <summary>The RFC 4226 computation shared by <see cref="Hotp"/> and <see cref="Totp"/>: HMAC into spans, no allocation.</summary>
internal static class OtpGenerator
{
    public const int MinDigits = 6;
    public const int MaxDigits = 8;

    private static readonly int[] PowersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

    public static void ValidateDigits(int digits, string paramName)
    {
        if (digits is < MinDigits or > MaxDigits)
        {
            throw new ArgumentOutOfRangeException(paramName, digits, $"An OTP has {MinDigits} to {MaxDigits} digits.");
        }
    }

    public static byte[] CopyKey(byte[] secretKey, string paramName)
    {
        ArgumentNullException.ThrowIfNull(secretKey, paramName);
        if (secretKey.Length == 0)
        {
            throw new ArgumentException("The secret key is empty.", paramName);
        }

        return (byte[])secretKey.Clone();
    }

    /// <summary>The RFC 4226 value for <paramref name="counter"/>: dynamic truncation modulo 10^digits.</summary>
    public static int Compute(ReadOnlySpan<byte> key, OtpHashMode mode, long counter, int digits)
    {
        Span<byte> message = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(message, counter);
        Span<byte> hash = stackalloc byte[HMACSHA512.HashSizeInBytes];
        var length = mode switch
        {
            // HMAC-SHA-1 is what RFC 4226 specifies and authenticator apps use; HMAC does not rely on SHA-1's collision resistance.
#pragma warning disable CA5350
            OtpHashMode.Sha1 => HMACSHA1.HashData(key, message, hash),
#pragma warning restore CA5350
            OtpHashMode.Sha256 => HMACSHA256.HashData(key, message, hash),
            OtpHashMode.Sha512 => HMACSHA512.HashData(key, message, hash),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown OTP hash mode."),
        };
        var offset = hash[length - 1] & 0x0F;
        var binary = ((hash[offset] & 0x7F) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return binary % PowersOfTen[digits];
    }

    /// <summary>Writes <paramref name="value"/> as <paramref name="destination"/>.Length zero-padded ASCII digits.</summary>
    public static void WriteDigits(int value, Span<byte> destination)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    public static string Format(int value, int digits)
    {
        Span<byte> ascii = stackalloc byte[MaxDigits];
        WriteDigits(value, ascii[..digits]);
        return System.Text.Encoding.ASCII.GetString(ascii[..digits]);
    }

    /// <summary>Copies a candidate code as ASCII digits; false when it is not exactly <paramref name="digits"/> decimal digits.</summary>
    public static bool TryReadCode(ReadOnlySpan<char> code, int digits, Span<byte> destination)
    {
        if (code.Length != digits)
        {
            return false;
        }

        for (var i = 0; i < digits; i++)
        {
            var c = code[i];
            if (c is < '0' or > '9')
            {
                return false;
            }

            destination[i] = (byte)c;
        }

        return true;
    }

    /// <summary>
    /// Checks <paramref name="code"/> against every counter from <paramref name="first"/> to <paramref name="last"/>,
    /// comparing in constant time and without stopping at a match, so the time taken does not reveal which counter matched.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> key, OtpHashMode mode, int digits, ReadOnlySpan<char> code, long first, long last, out long matched)
    {
        matched = 0;
        Span<byte> candidate = stackalloc byte[MaxDigits];
        if (!TryReadCode(code, digits, candidate))
        {
            return false;
        }

        candidate = candidate[..digits];
        Span<byte> expected = stackalloc byte[MaxDigits];
        expected = expected[..digits];
        var found = false;
        for (var counter = first; counter <= last; counter++)
        {
            WriteDigits(Compute(key, mode, counter, digits), expected);
            if (CryptographicOperations.FixedTimeEquals(candidate, expected) && !found)
            {
                found = true;
                matched = counter;
            }
        }

        CryptographicOperations.ZeroMemory(expected);
        return found;
    }
}
