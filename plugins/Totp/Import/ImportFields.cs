using System.Globalization;
using OtpNet;

namespace MfaHost.Plugins.Totp.Import;

/// <summary>
/// The checks every import format shares. Each returns null when the value is good and otherwise says what is wrong
/// without repeating a secret (a position, never the character or the value).
/// </summary>
internal static class ImportFields
{
    /// <summary>Shorter secrets than 80 bits (16 Base32 characters, pam_google_authenticator's size) are refused.</summary>
    public const int MinimumSecretBytes = 10;

    public const int MaximumUserLength = 256;

    /// <summary>The secret as stored: spaces and '=' padding removed, upper case; or an error.</summary>
    public static (string? Secret, string? Error) Secret(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return (null, "the secret is missing");
        }

        var normalized = value.Replace(" ", "", StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        for (var i = 0; i < normalized.Length; i++)
        {
            if (normalized[i] is not ((>= 'A' and <= 'Z') or (>= '2' and <= '7')))
            {
                return (null, $"the secret is not Base32: character {i + 1} is outside A-Z, 2-7");
            }
        }

        // Otp.NET decodes any length; 1, 3 or 6 symbols past a multiple of 8 are a truncated value no encoder produces.
        if ((normalized.Length % 8) is 1 or 3 or 6)
        {
            return (null, $"the secret is not Base32: {normalized.Length} characters is not a length an encoder produces");
        }

        var bytes = Base32Encoding.ToBytes(normalized);
        if (bytes.Length < MinimumSecretBytes)
        {
            return (null, $"the secret has {bytes.Length * 8} bits; at least {MinimumSecretBytes * 8} are required");
        }

        return (Base32Encoding.ToString(bytes).TrimEnd('='), null);
    }

    public static string? User(string? user)
    {
        if (string.IsNullOrWhiteSpace(user))
        {
            return "the user name is missing";
        }

        if (user.Length > MaximumUserLength)
        {
            return $"the user name is longer than {MaximumUserLength} characters";
        }

        if (user.Any(char.IsControl) || user.Trim().Length != user.Length)
        {
            return "the user name contains control characters or leading/trailing spaces";
        }

        return null;
    }

    public static (OtpHashMode Algorithm, string? Error) Algorithm(string? value) =>
        value?.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant() switch
        {
            null or "" or "SHA1" => (OtpHashMode.Sha1, null),
            "SHA256" => (OtpHashMode.Sha256, null),
            "SHA512" => (OtpHashMode.Sha512, null),
            _ => (OtpHashMode.Sha1, $"algorithm '{value}' is not one of SHA1, SHA256, SHA512"),
        };

    public static (int Value, string? Error) Digits(string? value) => Integer("digits", value, 6, 6, 8);

    public static (int Value, string? Error) Period(string? value) => Integer("period", value, 30, 1, 3600);

    private static (int Value, string? Error) Integer(string name, string? value, int defaultValue, int min, int max)
    {
        if (string.IsNullOrEmpty(value))
        {
            return (defaultValue, null);
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max
            ? (parsed, null)
            : (defaultValue, $"{name} '{value}' is not a whole number from {min} to {max}");
    }
}
