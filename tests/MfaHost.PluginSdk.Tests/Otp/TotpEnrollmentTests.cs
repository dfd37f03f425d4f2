namespace MfaHost.PluginSdk.Tests.Otp;

public class TotpEnrollmentTests
{
    [Test]
    public void ToString_leaves_out_the_secret()
    {
        var enrollment = new TotpEnrollment { User = "alice", Secret = "JBSWY3DPEHPK3PXP", Id = "1" };

        Assert.That(enrollment.ToString(), Does.Contain("alice").And.Not.Contain("JBSWY3DPEHPK3PXP"));
    }

    [Test]
    public void Its_uri_carries_the_enrolled_parameters()
    {
        var enrollment = new TotpEnrollment { User = "alice", Secret = "JBSWY3DPEHPK3PXP", Id = "1", Algorithm = OtpHashMode.Sha512, Digits = 8, Period = 60 };

        Assert.That(enrollment.ToOtpUri("MfaHost").ToString(), Is.EqualTo("otpauth://totp/MfaHost:alice?secret=JBSWY3DPEHPK3PXP&issuer=MfaHost&algorithm=SHA512&digits=8&period=60"));
    }
}
