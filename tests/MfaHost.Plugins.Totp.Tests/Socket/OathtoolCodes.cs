using System.Diagnostics;
using System.Globalization;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Totp.Tests.Socket;

/// <summary>TOTP codes from oathtool (an independent implementation) when installed, else from our own generator.</summary>
internal static class OathtoolCodes
{
    private static readonly Lazy<bool> Installed = new(() =>
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("oathtool", "--version") { RedirectStandardOutput = true, RedirectStandardError = true });
            process!.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public static bool IsInstalled => Installed.Value;

    /// <summary>The 6-digit SHA-1 code of a 30 s step at <paramref name="at"/> for a Base32 <paramref name="secret"/>.</summary>
    public static async Task<string> CodeAsync(string secret, DateTimeOffset at)
    {
        if (!IsInstalled)
        {
            return new PluginSdk.Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(at);
        }

        var info = new ProcessStartInfo("oathtool") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--totp", "--base32", "--now=" + at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture), secret })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, await process.StandardError.ReadToEndAsync());
        return output.Trim();
    }
}
