using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MfaHost.Plugins.Hmc.Tests.TestServer;

/// <summary>RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits), as the test HMC checks it.</summary>
internal static class TestTotp
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    public static string Code(byte[] secret, DateTimeOffset at) => Code(secret, at.ToUnixTimeSeconds() / (long)Step.TotalSeconds);

    public static string Code(byte[] secret, long counter)
    {
        Span<byte> message = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(message, counter);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // RFC 6238's default, and what authenticator apps use
        HMACSHA1.HashData(secret, message, hash);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0F;
        var value = (BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7FFFFFFF) % 1_000_000;
        return value.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Accepts the current step and one either side (clock drift).</summary>
    public static bool Verify(byte[] secret, string code, DateTimeOffset at)
    {
        var counter = at.ToUnixTimeSeconds() / (long)Step.TotalSeconds;
        for (var drift = -1; drift <= 1; drift++)
        {
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(secret, counter + drift)), System.Text.Encoding.ASCII.GetBytes(code)))
            {
                return true;
            }
        }

        return false;
    }
}
