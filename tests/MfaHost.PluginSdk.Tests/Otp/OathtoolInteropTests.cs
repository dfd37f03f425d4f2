using System.Diagnostics;

namespace MfaHost.PluginSdk.Tests.Otp;

/// <summary>Codes from an independent implementation (oathtool, from liboath) are accepted by our verifier.</summary>
public class OathtoolInteropTests
{
    [TestCase(OtpHashMode.Sha1, "sha1", 6, 30)]
    [TestCase(OtpHashMode.Sha256, "sha256", 8, 30)]
    [TestCase(OtpHashMode.Sha512, "sha512", 7, 60)]
    public async Task Codes_generated_by_oathtool_are_accepted(OtpHashMode mode, string oathtoolMode, int digits, int step)
    {
        var secret = OtpSecret.GenerateBase32(mode == OtpHashMode.Sha512 ? 64 : 32);
        var at = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + Random.Shared.Next(0, 1_000_000));
        var code = await OathtoolAsync(
            "--totp=" + oathtoolMode, "--base32", "--digits=" + digits, "--time-step-size=" + step + "s",
            "--now=" + at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture), secret);
        var totp = new Totp(Base32Encoding.ToBytes(secret), step, mode, digits);

        Assert.That(totp.VerifyTotp(at, code, out var matched), Is.True);
        Assert.That(matched, Is.EqualTo(at.ToUnixTimeSeconds() / step));
        Assert.That(totp.ComputeTotp(at), Is.EqualTo(code));
    }

    [Test]
    public async Task Hotp_codes_generated_by_oathtool_are_accepted()
    {
        var secret = OtpSecret.Generate();
        var code = await OathtoolAsync("--hotp", "--counter=12345", Convert.ToHexString(secret));

        Assert.That(new Hotp(secret).VerifyHotp(code, 12345), Is.True);
    }

    private static async Task<string> OathtoolAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("oathtool") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Ignore("oathtool is not installed (apt-get install -y oathtool)");
            throw;
        }

        using (process)
        {
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.That(process.ExitCode, Is.Zero, error);
            return output.Trim();
        }
    }
}
