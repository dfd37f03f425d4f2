namespace MfaHost.PluginSdk.Tests.Otp;

public class OtpSecretTests
{
    [Test]
    public void Generates_160_bits_by_default_and_different_secrets_each_time()
    {
        var first = OtpSecret.Generate();
        var second = OtpSecret.Generate();

        Assert.That(first, Has.Length.EqualTo(20));
        Assert.That(first, Is.Not.EqualTo(second));
        Assert.That(OtpSecret.GenerateBase32(), Has.Length.EqualTo(32).And.Match("^[A-Z2-7]+$"));
    }

    [Test]
    public void Refuses_secrets_shorter_than_128_bits()
    {
        Assert.That(() => OtpSecret.Generate(15), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
