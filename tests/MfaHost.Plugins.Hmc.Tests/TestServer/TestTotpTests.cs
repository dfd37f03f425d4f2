namespace MfaHost.Plugins.Hmc.Tests.TestServer;

/// <summary>The test HMC's TOTP follows RFC 6238 (appendix B vectors, SHA-1, last six digits).</summary>
public class TestTotpTests
{
    [TestCase(59L, "287082")]
    [TestCase(1111111109L, "081804")]
    [TestCase(1234567890L, "005924")]
    public void Matches_the_rfc_6238_vectors(long unixSeconds, string code)
    {
        Assert.That(TestTotp.Code("12345678901234567890"u8.ToArray(), DateTimeOffset.FromUnixTimeSeconds(unixSeconds)), Is.EqualTo(code));
    }
}
