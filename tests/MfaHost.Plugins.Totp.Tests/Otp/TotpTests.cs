using System.Text;
using MfaHost.Plugins.Totp.Enrollments;
using OtpNet;

namespace MfaHost.Plugins.Totp.Tests.Otp;

/// <summary>RFC 6238 through the plugin's use of Otp.NET: an enrollment's parameters give the RFC's codes.</summary>
public class TotpTests
{
    // RFC 6238, Appendix B: each hash has its own seed, of the hash's output length.
    private static readonly byte[] Sha1Seed = Encoding.ASCII.GetBytes("12345678901234567890");
    private static readonly byte[] Sha256Seed = Encoding.ASCII.GetBytes("12345678901234567890123456789012");
    private static readonly byte[] Sha512Seed = Encoding.ASCII.GetBytes("1234567890123456789012345678901234567890123456789012345678901234");

    private static byte[] Seed(OtpHashMode mode) => mode switch
    {
        OtpHashMode.Sha1 => Sha1Seed,
        OtpHashMode.Sha256 => Sha256Seed,
        _ => Sha512Seed,
    };

    private static OtpNet.Totp Enrolled(OtpHashMode mode, int digits = 8, int period = 30) =>
        new TotpEnrollment { User = "alice", Secret = Base32Encoding.ToString(Seed(mode)), Id = "1", Algorithm = mode, Digits = digits, Period = period }.CreateTotp();

    private static DateTime At(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime;

    [TestCase(59L, "94287082", OtpHashMode.Sha1)]
    [TestCase(59L, "46119246", OtpHashMode.Sha256)]
    [TestCase(59L, "90693936", OtpHashMode.Sha512)]
    [TestCase(1111111109L, "07081804", OtpHashMode.Sha1)]
    [TestCase(1111111109L, "68084774", OtpHashMode.Sha256)]
    [TestCase(1111111109L, "25091201", OtpHashMode.Sha512)]
    [TestCase(1111111111L, "14050471", OtpHashMode.Sha1)]
    [TestCase(1111111111L, "67062674", OtpHashMode.Sha256)]
    [TestCase(1111111111L, "99943326", OtpHashMode.Sha512)]
    [TestCase(1234567890L, "89005924", OtpHashMode.Sha1)]
    [TestCase(1234567890L, "91819424", OtpHashMode.Sha256)]
    [TestCase(1234567890L, "93441116", OtpHashMode.Sha512)]
    [TestCase(2000000000L, "69279037", OtpHashMode.Sha1)]
    [TestCase(2000000000L, "90698825", OtpHashMode.Sha256)]
    [TestCase(2000000000L, "38618901", OtpHashMode.Sha512)]
    [TestCase(20000000000L, "65353130", OtpHashMode.Sha1)]
    [TestCase(20000000000L, "77737706", OtpHashMode.Sha256)]
    [TestCase(20000000000L, "47863826", OtpHashMode.Sha512)]
    public void Computes_and_verifies_every_value_of_rfc6238_appendix_b(long unixSeconds, string expected, OtpHashMode mode)
    {
        var totp = Enrolled(mode);

        Assert.That(totp.ComputeTotp(At(unixSeconds)), Is.EqualTo(expected));
        Assert.That(totp.VerifyTotp(At(unixSeconds), expected, out var matched), Is.True);
        Assert.That(matched, Is.EqualTo(unixSeconds / 30));
    }

    [Test]
    public void The_window_the_settings_give_accepts_one_step_either_way_and_reports_the_step()
    {
        var totp = Enrolled(OtpHashMode.Sha1, digits: 6);
        var window = new TotpSettings().VerificationWindow;
        const long now = 30_000 * 30;

        Assert.Multiple(() =>
        {
            Assert.That(totp.VerifyTotp(At(now), totp.ComputeTotp(At(now - 30)), out var back, window), Is.True);
            Assert.That(back, Is.EqualTo(29_999));
            Assert.That(totp.VerifyTotp(At(now), totp.ComputeTotp(At(now + 30)), out var forward, window), Is.True);
            Assert.That(forward, Is.EqualTo(30_001));
            Assert.That(totp.VerifyTotp(At(now), totp.ComputeTotp(At(now - 60)), out _, window), Is.False);
            Assert.That(totp.VerifyTotp(At(now), totp.ComputeTotp(At(now + 60)), out _, window), Is.False);
        });
    }

    [Test]
    public void Supports_any_period()
    {
        var totp = Enrolled(OtpHashMode.Sha1, period: 60);

        Assert.That(totp.ComputeTotp(At(1234567890)), Is.EqualTo(new Hotp(Sha1Seed, OtpHashMode.Sha1, 8).ComputeHOTP(1234567890 / 60)));
    }
}
