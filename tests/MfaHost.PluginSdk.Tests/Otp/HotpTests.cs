using System.Text;

namespace MfaHost.PluginSdk.Tests.Otp;

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

        Assert.That(hotp.ComputeHotp(counter), Is.EqualTo(expected));
        Assert.That(hotp.VerifyHotp(expected, counter), Is.True);
    }

    [Test]
    public void Refuses_the_code_of_another_counter()
    {
        var hotp = new Hotp(RfcSecret);

        Assert.That(hotp.VerifyHotp("755224", 1), Is.False);
    }

    [TestCase(5)]
    [TestCase(9)]
    [TestCase(0)]
    public void Refuses_digit_counts_outside_6_to_8(int digits)
    {
        Assert.That(() => new Hotp(RfcSecret, OtpHashMode.Sha1, digits), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Refuses_an_empty_key()
    {
        Assert.That(() => new Hotp([]), Throws.ArgumentException);
    }

    [Test]
    public void Keeps_its_own_copy_of_the_key()
    {
        var key = (byte[])RfcSecret.Clone();
        var hotp = new Hotp(key);
        key[0] ^= 0xFF;

        Assert.That(hotp.ComputeHotp(0), Is.EqualTo("755224"));
    }

    [Test]
    public void Pads_codes_with_leading_zeros_to_the_digit_count()
    {
        // 7 and 8 digits of counter 0 (HOTP-value 1284755224 in RFC 4226 Appendix D).
        Assert.That(new Hotp(RfcSecret, OtpHashMode.Sha1, 7).ComputeHotp(0), Is.EqualTo("4755224"));
        Assert.That(new Hotp(RfcSecret, OtpHashMode.Sha1, 8).ComputeHotp(0), Is.EqualTo("84755224"));
    }
}
