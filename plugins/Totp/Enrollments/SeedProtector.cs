using System.Security.Cryptography;
using System.Text;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>
/// Encrypts TOTP secrets at rest with AES-256-GCM (.NET's <see cref="AesGcm"/>): <c>[totp] seed_key</c> is the key
/// (32 random bytes in Base64 or hex, normally <c>$</c> so it comes from the credential store or a key file), and
/// <c>[totp] seed_key_previous</c> the one it replaces during a rotation. A sealed secret is
/// <c>v1:&lt;key id&gt;:&lt;Base64 of nonce, ciphertext, tag&gt;</c>; the user name is the associated data, so a sealed
/// secret copied onto another user's record does not open. The key id (a hash of the key) says which key sealed it,
/// without revealing the key.
/// </summary>
internal sealed class SeedProtector
{
    public const string KeyOption = "seed_key";
    public const string PreviousKeyOption = "seed_key_previous";

    private const string Version = "v1";
    private const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] _key;
    private readonly byte[]? _previousKey;

    private SeedProtector(byte[] key, byte[]? previousKey)
    {
        _key = key;
        _previousKey = previousKey;
        KeyId = IdOf(key);
        PreviousKeyId = previousKey is null ? null : IdOf(previousKey);
    }

    /// <summary>Identifies the current key in sealed secrets and messages (not secret).</summary>
    public string KeyId { get; }

    public string? PreviousKeyId { get; }

    /// <summary>The protector of <c>[totp]</c>, or null when <c>seed_key</c> is not set (secrets stay in clear).</summary>
    /// <exception cref="MfaConfigurationException">A key that is not 32 bytes, or a previous key without a key.</exception>
    public static SeedProtector? FromConfiguration(PluginConfiguration configuration)
    {
        var section = configuration.Section(TotpSettings.SectionName);
        var key = section.GetSecret(KeyOption);
        var previous = section.GetSecret(PreviousKeyOption);
        if (key is null)
        {
            return previous is null ? null : throw section.Error(PreviousKeyOption, $"is set but {KeyOption} is not: a rotation needs the new key in {KeyOption}");
        }

        return new SeedProtector(
            Parse(key) ?? throw section.Error(KeyOption, BadKey),
            previous is null ? null : Parse(previous) ?? throw section.Error(PreviousKeyOption, BadKey));
    }

    /// <summary>The protector of a generated key (and the key it replaces during a rotation), or null when a key is not 32 bytes.</summary>
    public static SeedProtector? FromKeys(string key, string? previousKey) =>
        Parse(key) is { } current && (previousKey is null || Parse(previousKey) is not null)
            ? new SeedProtector(current, previousKey is null ? null : Parse(previousKey))
            : null;

    public static bool IsSealed(string value) => value.StartsWith(Version + ":", StringComparison.Ordinal);

    /// <summary>The key id in a sealed value.</summary>
    public static string KeyIdOf(string sealedValue) => sealedValue.Split(':', 3) is [_, var id, _] ? id : "?";

    public string Seal(string user, string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var output = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = output.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceBytes, plain.Length), output.AsSpan(NonceBytes + plain.Length), Encoding.UTF8.GetBytes(user));
        CryptographicOperations.ZeroMemory(plain);
        return $"{Version}:{KeyId}:{Convert.ToBase64String(output)}";
    }

    /// <summary>Whether <paramref name="sealedValue"/> was sealed with the current key (false: the previous one, to re-seal).</summary>
    public bool IsCurrent(string sealedValue) => KeyIdOf(sealedValue) == KeyId;

    /// <exception cref="CryptographicException">Sealed with a key that is not configured, or altered.</exception>
    public string Open(string user, string sealedValue)
    {
        var keyId = KeyIdOf(sealedValue);
        var key = keyId == KeyId ? _key : keyId == PreviousKeyId ? _previousKey! : null;
        if (key is null)
        {
            throw new CryptographicException($"The TOTP secret of {user} is sealed with key id {keyId}, which is neither {KeyOption} ({KeyId}) nor {PreviousKeyOption}.");
        }

        var data = Convert.FromBase64String(sealedValue[(Version.Length + keyId.Length + 2)..]);
        if (data.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException($"The sealed TOTP secret of {user} is truncated.");
        }

        var plain = new byte[data.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(data.AsSpan(0, NonceBytes), data.AsSpan(NonceBytes, plain.Length), data.AsSpan(NonceBytes + plain.Length), plain, Encoding.UTF8.GetBytes(user));
        return Encoding.UTF8.GetString(plain);
    }

    private const string BadKey = "must be 32 random bytes in Base64 or hex (for example: openssl rand -base64 32)";

    private static byte[]? Parse(string value)
    {
        value = value.Trim();
        try
        {
            var bytes = value.Length == KeyBytes * 2 ? Convert.FromHexString(value) : Convert.FromBase64String(value);
            return bytes.Length == KeyBytes ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string IdOf(byte[] key) =>
        Convert.ToHexString(SHA256.HashData([.. "mfahost-totp-seed-key-id:"u8, .. key]))[..12].ToLowerInvariant();
}
