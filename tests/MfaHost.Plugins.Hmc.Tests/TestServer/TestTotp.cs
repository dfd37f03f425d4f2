using OtpNet;

namespace MfaHost.Plugins.Hmc.Tests.TestServer;

/// <summary>The test HMC's TOTP: Otp.NET's RFC 6238 (HMAC-SHA1, 30 s steps, 6 digits).</summary>
internal static class TestTotp
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    public static string Code(byte[] secret, DateTimeOffset at) => new OtpNet.Totp(secret).ComputeTotp(at.UtcDateTime);

    /// <summary>Accepts the current step and one either side (clock drift), as an HMC would.</summary>
    public static bool Verify(byte[] secret, string code, DateTimeOffset at) =>
        new OtpNet.Totp(secret).VerifyTotp(at.UtcDateTime, code, out _, VerificationWindow.RfcSpecifiedNetworkDelay);
}
