using MfaHost.Plugins.Totp.Enrollments;

namespace MfaHost.Plugins.Totp.Tests.Otp;

public class TotpEnrollmentTests
{
    [Test]
    public void ToString_leaves_out_the_secret()
    {
        var enrollment = new TotpEnrollment { User = "alice", Secret = "JBSWY3DPEHPK3PXP", Id = "1" };

        Assert.That(enrollment.ToString(), Does.Contain("alice").And.Not.Contain("JBSWY3DPEHPK3PXP"));
    }
}
