using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace MfaHost.Plugins.Totp.Tests.Otp;

/// <summary>
/// Codes from oathtool (liboath), an implementation independent of Otp.NET. A missing oathtool fails the test:
/// these tests are the proof that our use of Otp.NET interoperates, so they must not pass quietly without it.
/// </summary>
internal static class Oathtool
{
    /// <summary>The 6-digit SHA-1 code of a 30 s step at <paramref name="at"/> for a Base32 <paramref name="secret"/>.</summary>
    public static Task<string> TotpAsync(string secret, DateTimeOffset at) =>
        TotpAsync(secret, at, "sha1", digits: 6, step: 30);

    /// <summary>The TOTP code at <paramref name="at"/> for a Base32 <paramref name="secret"/>.</summary>
    public static Task<string> TotpAsync(string secret, DateTimeOffset at, string mode, int digits, int step) =>
        RunAsync(
            "--totp=" + mode, "--base32", "--digits=" + digits.ToString(CultureInfo.InvariantCulture),
            "--time-step-size=" + step.ToString(CultureInfo.InvariantCulture) + "s",
            "--now=" + at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture), secret);

    /// <summary>The 6-digit HOTP code of <paramref name="counter"/> for a hex <paramref name="hexKey"/>.</summary>
    public static Task<string> HotpAsync(string hexKey, long counter) =>
        RunAsync("--hotp", "--counter=" + counter.ToString(CultureInfo.InvariantCulture), hexKey);

    private static async Task<string> RunAsync(params string[] arguments)
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
        catch (Win32Exception e)
        {
            Assert.Fail($"oathtool is required for the TOTP interoperability tests and could not be started ({e.Message}): apt-get install -y oathtool (.ci/run installs it)");
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
