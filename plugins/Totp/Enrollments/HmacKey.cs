using System.Security.Cryptography;
using OtpNet;

namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>
/// An Otp.NET key (its <see cref="IKeyProvider"/> extension point) that computes each HMAC with .NET's one-shot
/// <c>HMACSHA1.HashData</c> (and SHA-256/512). Otp.NET's own <see cref="InMemoryKey"/> builds an HMAC object per code,
/// with a random key it then replaces: three OpenSSL contexts and a trip to the random generator for every step of
/// the window, the largest part of verifying a code. Immutable, so one instance serves concurrent verifications.
/// </summary>
internal sealed class HmacKey(byte[] key) : IKeyProvider
{
    public byte[] ComputeHmac(OtpHashMode mode, byte[] data) => mode switch
    {
        OtpHashMode.Sha256 => HMACSHA256.HashData(key, data),
        OtpHashMode.Sha512 => HMACSHA512.HashData(key, data),
        // SHA-1 is RFC 6238's default and what nearly every authenticator app uses; as an HMAC it is not broken.
#pragma warning disable CA5350
        _ => HMACSHA1.HashData(key, data),
#pragma warning restore CA5350
    };
}
