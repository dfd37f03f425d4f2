using MfaHost.Plugins.Totp.Enrollments;
using OtpNet;

namespace MfaHost.Plugins.Totp.Tests.Otp;

/// <summary>Codes from an independent implementation (oathtool, from liboath) match the plugin's use of Otp.NET.</summary>
public class OathtoolInteropTests
{
    [TestCase(OtpHashMode.Sha1, "sha1", 6, 30)]
    [TestCase(OtpHashMode.Sha256, "sha256", 8, 30)]
    [TestCase(OtpHashMode.Sha512, "sha512", 7, 60)]
    public async Task Codes_generated_by_oathtool_are_accepted(OtpHashMode mode, string oathtoolMode, int digits, int step)
    {
        var secret = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(mode));
        var at = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + Random.Shared.Next(0, 1_000_000));
        var code = await Oathtool.TotpAsync(secret, at, oathtoolMode, digits, step);
        var totp = new TotpEnrollment { User = "alice", Secret = secret, Id = "1", Algorithm = mode, Digits = digits, Period = step }.CreateTotp();

        Assert.That(totp.VerifyTotp(at.UtcDateTime, code, out var matched), Is.True);
        Assert.That(matched, Is.EqualTo(at.ToUnixTimeSeconds() / step));
        Assert.That(totp.ComputeTotp(at.UtcDateTime), Is.EqualTo(code));
    }

    [Test]
    public async Task Hotp_codes_generated_by_oathtool_are_accepted()
    {
        var secret = KeyGeneration.GenerateRandomKey(20);
        var code = await Oathtool.HotpAsync(Convert.ToHexString(secret), 12345);

        Assert.That(new Hotp(secret).VerifyHotp(code, 12345), Is.True);
    }

    [Test]
    public async Task A_secret_from_an_enrollment_gives_the_codes_oathtool_computes()
    {
        var state = new MfaHost.State.InMemoryStateStore(TimeProvider.System);
        var enrolled = (await new TotpEnrollmentStore(state, TimeProvider.System).EnrollAsync("alice", new TotpSettings(), false, default))!;
        var at = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

        Assert.That(enrolled.Enrollment.CreateTotp().ComputeTotp(at.UtcDateTime), Is.EqualTo(await Oathtool.TotpAsync(enrolled.Enrollment.Secret, at)));
    }
}
