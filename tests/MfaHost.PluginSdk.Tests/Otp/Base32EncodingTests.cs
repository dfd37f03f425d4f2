using System.Text;

namespace MfaHost.PluginSdk.Tests.Otp;

public class Base32EncodingTests
{
    // RFC 4648, section 10.
    [TestCase("", "")]
    [TestCase("f", "MY======")]
    [TestCase("fo", "MZXQ====")]
    [TestCase("foo", "MZXW6===")]
    [TestCase("foob", "MZXW6YQ=")]
    [TestCase("fooba", "MZXW6YTB")]
    [TestCase("foobar", "MZXW6YTBOI======")]
    public void Encodes_and_decodes_the_rfc4648_test_vectors(string text, string base32)
    {
        var bytes = Encoding.ASCII.GetBytes(text);

        Assert.That(Base32Encoding.ToString(bytes, padding: true), Is.EqualTo(base32));
        Assert.That(Base32Encoding.ToString(bytes), Is.EqualTo(base32.TrimEnd('=')));
        Assert.That(Base32Encoding.ToBytes(base32), Is.EqualTo(bytes));
        Assert.That(Base32Encoding.ToBytes(base32.TrimEnd('=')), Is.EqualTo(bytes));
        Assert.That(Base32Encoding.ToBytes(base32.ToLowerInvariant()), Is.EqualTo(bytes));
    }

    [Test]
    public void Ignores_spaces_and_hyphens_between_groups()
    {
        Assert.That(Base32Encoding.ToBytes("mzxw 6ytb-oi"), Is.EqualTo(Encoding.ASCII.GetBytes("foobar")));
    }

    [Test]
    public void Round_trips_random_secrets()
    {
        for (var length = 16; length < 40; length++)
        {
            var secret = OtpSecret.Generate(length);
            Assert.That(Base32Encoding.ToBytes(Base32Encoding.ToString(secret)), Is.EqualTo(secret));
        }
    }

    [TestCase("MZXW1YTB", '1', 5)]
    [TestCase("MZXW6YT8", '8', 8)]
    [TestCase("MZ_W6YTB", '_', 3)]
    [TestCase("MZXW6YT0", '0', 8)]
    public void Names_the_bad_character_and_its_position(string input, char bad, int position)
    {
        var error = Assert.Throws<FormatException>(() => Base32Encoding.ToBytes(input));

        Assert.That(error!.Message, Does.Contain($"'{bad}'").And.Contain($"position {position}"));
    }

    [Test]
    public void Refuses_data_after_padding()
    {
        var error = Assert.Throws<FormatException>(() => Base32Encoding.ToBytes("MY==MZXQ"));

        Assert.That(error!.Message, Does.Contain("padding").And.Contain("position 3"));
    }

    [TestCase("M")]
    [TestCase("MZX")]
    [TestCase("MZXW6Y")]
    public void Refuses_lengths_no_encoder_produces(string input)
    {
        Assert.That(() => Base32Encoding.ToBytes(input), Throws.TypeOf<FormatException>().With.Message.Contains("length"));
    }
}
