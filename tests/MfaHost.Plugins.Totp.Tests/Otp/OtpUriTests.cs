using MfaHost.Plugins.Totp.Enrollments;
using OtpNet;

namespace MfaHost.Plugins.Totp.Tests.Otp;

/// <summary>The otpauth URI an enrollment gives authenticator apps (written by Otp.NET's OtpUri).</summary>
public class OtpUriTests
{
    private const string Secret = "JBSWY3DPEHPK3PXP";

    private static TotpEnrollment Enrollment(string user = "alice", OtpHashMode mode = OtpHashMode.Sha1, int digits = 6, int period = 30) =>
        new() { User = user, Secret = Secret, Id = "1", Algorithm = mode, Digits = digits, Period = period };

    [Test]
    public void Writes_the_key_uri_format_authenticator_apps_accept()
    {
        Assert.That(Enrollment().ToOtpUri("MfaHost").ToString(), Is.EqualTo("otpauth://totp/MfaHost:alice?secret=JBSWY3DPEHPK3PXP&issuer=MfaHost&algorithm=SHA1&digits=6&period=30"));
    }

    [Test]
    public void Carries_the_enrolled_parameters()
    {
        Assert.That(Enrollment(mode: OtpHashMode.Sha512, digits: 8, period: 60).ToOtpUri("MfaHost").ToString(),
            Is.EqualTo("otpauth://totp/MfaHost:alice?secret=JBSWY3DPEHPK3PXP&issuer=MfaHost&algorithm=SHA512&digits=8&period=60"));
    }

    [Test]
    public void Percent_encodes_issuer_and_account()
    {
        var uri = Enrollment("alice smith@example.com", OtpHashMode.Sha256, 8, 60).ToOtpUri("Acme & Co/IT");
        var parsed = uri.ToUri();

        Assert.That(uri.ToString(), Is.EqualTo(
            "otpauth://totp/Acme%20%26%20Co%2FIT:alice%20smith%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20%26%20Co%2FIT&algorithm=SHA256&digits=8&period=60"));
        Assert.That(parsed.Scheme, Is.EqualTo("otpauth"));
        Assert.That(parsed.Host, Is.EqualTo("totp"));
        var query = System.Web.HttpUtility.ParseQueryString(parsed.Query);
        Assert.That(query["issuer"], Is.EqualTo("Acme & Co/IT"));
        Assert.That(query["secret"], Is.EqualTo(Secret));
    }

    [Test]
    public void Leaves_out_the_issuer_when_empty()
    {
        Assert.That(Enrollment().ToOtpUri("").ToString(), Is.EqualTo("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30"));
    }

    [Test]
    public void Names_the_algorithm_as_apps_spell_it()
    {
        Assert.That(Enrollment(mode: OtpHashMode.Sha256).AlgorithmName, Is.EqualTo("SHA256"));
    }
}
