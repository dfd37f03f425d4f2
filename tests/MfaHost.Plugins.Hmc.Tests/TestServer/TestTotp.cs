using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Hmc.Tests.TestServer;

/// <summary>The test HMC's TOTP: the SDK's RFC 6238 core (HMAC-SHA1, 30 s steps, 6 digits).</summary>
internal static class TestTotp
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    public static string Code(byte[] secret, DateTimeOffset at) => new Totp(secret).ComputeTotp(at);

    /// <summary>Accepts the current step and one either side (clock drift), as an HMC would.</summary>
    public static bool Verify(byte[] secret, string code, DateTimeOffset at) =>
        new Totp(secret).VerifyTotp(at, code, out _, VerificationWindow.RfcSpecifiedNetworkDelay);
}
