namespace MfaHost.PluginSdk.Tests.Otp;

public class OtpUriTests
{
    private const string Secret = "JBSWY3DPEHPK3PXP";

    [Test]
    public void Writes_the_key_uri_format_authenticator_apps_accept()
    {
        var uri = new OtpUri(Secret, "alice", "MfaHost");

        Assert.That(uri.ToString(), Is.EqualTo("otpauth://totp/MfaHost:alice?secret=JBSWY3DPEHPK3PXP&issuer=MfaHost&algorithm=SHA1&digits=6&period=30"));
    }

    [Test]
    public void Percent_encodes_issuer_and_account()
    {
        var uri = new OtpUri(Secret, "alice smith@example.com", "Acme & Co/IT", OtpHashMode.Sha256, 8, 60);
        var parsed = uri.ToUri();

        Assert.That(uri.ToString(), Is.EqualTo(
            "otpauth://totp/Acme%20%26%20Co%2FIT:alice%20smith%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20%26%20Co%2FIT&algorithm=SHA256&digits=8&period=60"));
        Assert.That(parsed.Scheme, Is.EqualTo("otpauth"));
        Assert.That(parsed.Host, Is.EqualTo("totp"));
        var query = System.Web.HttpUtility.ParseQueryString(parsed.Query);
        Assert.That(query["issuer"], Is.EqualTo("Acme & Co/IT"));
        Assert.That(query["secret"], Is.EqualTo(Secret));
        Assert.That(Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/')), Is.EqualTo("Acme & Co/IT:alice smith@example.com"));
    }

    [Test]
    public void Normalizes_the_secret_to_upper_case_without_padding()
    {
        var uri = new OtpUri("mzxw6ytboi======", "alice", "MfaHost", OtpHashMode.Sha512);

        Assert.That(uri.Secret, Is.EqualTo("MZXW6YTBOI"));
        Assert.That(uri.ToString(), Does.Contain("secret=MZXW6YTBOI&").And.Contain("algorithm=SHA512"));
    }

    [Test]
    public void Leaves_out_the_issuer_when_empty()
    {
        Assert.That(new OtpUri(Secret, "alice", "").ToString(), Is.EqualTo("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30"));
    }

    [Test]
    public void Refuses_colons_in_issuer_or_account_a_bad_secret_and_bad_digits()
    {
        Assert.That(() => new OtpUri(Secret, "a:b", "MfaHost"), Throws.ArgumentException);
        Assert.That(() => new OtpUri(Secret, "alice", "Mfa:Host"), Throws.ArgumentException);
        Assert.That(() => new OtpUri("NOT-BASE32!", "alice", "MfaHost"), Throws.TypeOf<FormatException>());
        Assert.That(() => new OtpUri(Secret, "alice", "MfaHost", digits: 9), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
