using System.Text;
using OtpNet;

namespace MfaHost.Plugins.Totp.Tests.Otp;

/// <summary>RFC 4226 (HOTP, the computation under every TOTP code) as Otp.NET does it.</summary>
public class HotpTests
{
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    // RFC 4226, Appendix D.
    [TestCase(0, "755224")]
    [TestCase(1, "287082")]
    [TestCase(2, "359152")]
    [TestCase(3, "969429")]
    [TestCase(4, "338314")]
    [TestCase(5, "254676")]
    [TestCase(6, "287922")]
    [TestCase(7, "162583")]
    [TestCase(8, "399871")]
    [TestCase(9, "520489")]
    public void Computes_every_value_of_rfc4226_appendix_d(long counter, string expected)
    {
        var hotp = new Hotp(RfcSecret);

        Assert.That(hotp.ComputeHOTP(counter), Is.EqualTo(expected));
        Assert.That(hotp.VerifyHotp(expected, counter), Is.True);
        Assert.That(hotp.VerifyHotp(expected, counter + 1), Is.False);
    }

    [Test]
    public void Pads_codes_with_leading_zeros_to_the_digit_count()
    {
        // 7 and 8 digits of counter 0 (HOTP-value 1284755224 in RFC 4226 Appendix D).
        Assert.That(new Hotp(RfcSecret, OtpHashMode.Sha1, 7).ComputeHOTP(0), Is.EqualTo("4755224"));
        Assert.That(new Hotp(RfcSecret, OtpHashMode.Sha1, 8).ComputeHOTP(0), Is.EqualTo("84755224"));
    }
}
