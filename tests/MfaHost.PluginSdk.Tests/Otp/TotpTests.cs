using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.PluginSdk.Tests.Otp;

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
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));
        var totp = new Totp(Seed(mode), 30, mode, 8, time);

        Assert.That(totp.ComputeTotp(), Is.EqualTo(expected));
        Assert.That(totp.VerifyTotp(expected, out var matched), Is.True);
        Assert.That(matched, Is.EqualTo(unixSeconds / 30));
    }

    [Test]
    public void Takes_the_time_from_the_time_provider()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(59));
        var totp = new Totp(Sha1Seed, 30, OtpHashMode.Sha1, 8, time);
        var first = totp.ComputeTotp();

        time.Advance(TimeSpan.FromSeconds(30));

        Assert.That(first, Is.EqualTo("94287082"));
        Assert.That(totp.ComputeTotp(), Is.Not.EqualTo(first));
        Assert.That(totp.ComputeTotp(), Is.EqualTo(totp.ComputeTotpAtStep(2)));
    }

    [Test]
    public void Accepts_codes_just_inside_the_window_and_reports_the_step_that_matched()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(30_000));
        var totp = new Totp(Sha1Seed, timeProvider: time);
        var current = totp.GetTimeStep(time.GetUtcNow());
        var window = new VerificationWindow(previous: 2, future: 1);

        Assert.Multiple(() =>
        {
            Assert.That(totp.VerifyTotp(totp.ComputeTotpAtStep(current - 2), out var back, window), Is.True);
            Assert.That(back, Is.EqualTo(current - 2));
            Assert.That(totp.VerifyTotp(totp.ComputeTotpAtStep(current + 1), out var forward, window), Is.True);
            Assert.That(forward, Is.EqualTo(current + 1));
            Assert.That(totp.VerifyTotp(totp.ComputeTotpAtStep(current), out var now, window), Is.True);
            Assert.That(now, Is.EqualTo(current));
        });
    }

    [Test]
    public void Refuses_codes_just_outside_the_window()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(30_000));
        var totp = new Totp(Sha1Seed, timeProvider: time);
        var current = totp.GetTimeStep(time.GetUtcNow());
        var window = new VerificationWindow(previous: 2, future: 1);

        Assert.Multiple(() =>
        {
            Assert.That(totp.VerifyTotp(totp.ComputeTotpAtStep(current - 3), out _, window), Is.False);
            Assert.That(totp.VerifyTotp(totp.ComputeTotpAtStep(current + 2), out _, window), Is.False);
        });
    }

    [Test]
    public void Without_a_window_accepts_the_current_step_only()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(30_000));
        var totp = new Totp(Sha1Seed, timeProvider: time);
        var current = totp.GetTimeStep(time.GetUtcNow());

        Assert.That(totp.VerifyTotp(totp.ComputeTotpAtStep(current - 1), out _), Is.False);
        Assert.That(totp.VerifyTotp(totp.ComputeTotpAtStep(current), out _), Is.True);
    }

    [Test]
    public void The_window_follows_the_clock_at_step_boundaries()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(30_000 + 29));
        var totp = new Totp(Sha1Seed, timeProvider: time);
        var code = totp.ComputeTotp();
        var window = VerificationWindow.RfcSpecifiedNetworkDelay;

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(totp.VerifyTotp(code, out _, window), Is.True, "first second of the next step: inside");
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.That(totp.VerifyTotp(code, out _, window), Is.True, "last second of the next step: inside");
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(totp.VerifyTotp(code, out _, window), Is.False, "first second two steps later: outside");
    }

    [Test]
    public void Supports_any_step_length()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1234567890));
        var totp = new Totp(Sha1Seed, 60, OtpHashMode.Sha1, 8, time);

        Assert.That(totp.GetTimeStep(time.GetUtcNow()), Is.EqualTo(1234567890 / 60));
        Assert.That(totp.ComputeTotp(), Is.EqualTo(new Hotp(Sha1Seed, OtpHashMode.Sha1, 8).ComputeHotp(1234567890 / 60)));
        Assert.That(totp.RemainingSeconds(), Is.EqualTo(60 - (1234567890 % 60)));
    }

    [TestCase("")]
    [TestCase("12345")]
    [TestCase("1234567")]
    [TestCase("12345a")]
    [TestCase(" 12345")]
    [TestCase("١٢٣٤٥٦")]
    public void Refuses_codes_that_are_not_exactly_the_digit_count_of_decimal_digits(string code)
    {
        var totp = new Totp(Sha1Seed);

        Assert.That(totp.VerifyTotp(code, out _, new VerificationWindow(10, 10)), Is.False);
    }

    [Test]
    public void Refuses_a_non_numeric_code_even_when_its_digits_would_match()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(59));
        var totp = new Totp(Sha1Seed, 30, OtpHashMode.Sha1, 8, time);

        Assert.That(totp.VerifyTotp("9428708x", out _), Is.False);
        Assert.That(totp.VerifyTotp("+4287082", out _), Is.False);
    }

    [TestCase(5)]
    [TestCase(9)]
    public void Refuses_digit_counts_outside_6_to_8(int digits)
    {
        Assert.That(() => new Totp(Sha1Seed, totpSize: digits), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Refuses_a_step_below_one_second_and_negative_windows()
    {
        Assert.That(() => new Totp(Sha1Seed, step: 0), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new VerificationWindow(-1, 0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
