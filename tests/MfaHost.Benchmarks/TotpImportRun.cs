using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.Plugins.Totp.Import;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Configuration;
using OtpNet;
using MfaHost.Configuration;

namespace MfaHost.Benchmarks;

/// <summary>
/// <c>totp-import</c>: writes USERS otpauth URIs and a folder of USERS google_authenticator files, imports each into a
/// fresh SQLite store with a seed key (as <c>mfahost totp import</c> will), prints the times, and checks a sample of the
/// imported users against codes computed by <c>oathtool</c>.
/// </summary>
internal static class TotpImportRun
{
    public static async Task<int> RunAsync(Options options)
    {
        var users = options.Int("users", 100_000);
        var directory = Directory.CreateTempSubdirectory("mfahost-import-");
        try
        {
            var secrets = Enumerable.Range(0, users).Select(_ => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20)).TrimEnd('=')).ToArray();
            var uris = Path.Combine(directory.FullName, "keys.txt");
            await File.WriteAllLinesAsync(uris, secrets.Select((s, i) => $"otpauth://totp/Corp:user{i}?secret={s}&issuer=Corp"));
            var folder = Directory.CreateDirectory(Path.Combine(directory.FullName, "ga")).FullName;
            for (var i = 0; i < users; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, "user" + i.ToString(CultureInfo.InvariantCulture)), $"{secrets[i]}\n\" RATE_LIMIT 3 30\n\" WINDOW_SIZE 3\n\" DISALLOW_REUSE\n\" TOTP_AUTH\n12345678\n87654321\n");
            }

            Console.WriteLine($"totp-import: {users:N0} users as otpauth URIs ({new FileInfo(uris).Length / 1024:N0} KB) and as google_authenticator files");
            var failed = false;
            foreach (var (format, path) in new[] { (TotpImportFormat.Uri, uris), (TotpImportFormat.GoogleAuthenticator, folder) })
            {
                failed |= !await ImportAsync(directory.FullName, format, path, secrets);
            }

            return failed ? 1 : 0;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<bool> ImportAsync(string directory, TotpImportFormat format, string path, string[] secrets)
    {
        var data = Path.Combine(directory, "data-" + format);
        var ini = Path.Combine(directory, "totp.ini");
        await File.WriteAllTextAsync(ini, $"[totp]\nseed_key = {Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}\n");
        var configuration = new PluginConfiguration(new ConfigurationBuilder().AddIniFile(ini).Build(), ini, new NoCredentials());
        using var store = SqliteStateStore.InDirectory(data, TimeProvider.System);
        var enrollments = new TotpEnrollmentStore(new NamespacedStateStore(store, "totp"), TimeProvider.System, SeedProtector.FromConfiguration(configuration));

        var started = Stopwatch.GetTimestamp();
        var parsed = TotpImportReader.Read(path, format);
        var read = Stopwatch.GetElapsedTime(started);
        var (imported, skipped) = await enrollments.ImportAsync(parsed, replace: false, null, default);
        var total = Stopwatch.GetElapsedTime(started);
        Console.WriteLine($"{format}: read {read.TotalSeconds:F1} s, read + stored {total.TotalSeconds:F1} s; {imported:N0} imported, {skipped:N0} skipped; store {new FileInfo(Path.Combine(data, SqliteStateStore.FileName)).Length / 1024 / 1024:N0} MB");

        var ok = true;
        foreach (var i in new[] { 0, secrets.Length / 2, secrets.Length - 1 })
        {
            var enrollment = await enrollments.GetAsync("user" + i.ToString(CultureInfo.InvariantCulture), default);
            var code = await OathtoolAsync(secrets[i]);
            var valid = enrollment is not null && enrollment.CreateTotp().VerifyTotp(code, out _, new VerificationWindow(1, 1));
            Console.WriteLine($"  user{i}: oathtool code {(valid ? "verifies" : "DOES NOT verify")} against the imported, sealed enrollment");
            ok &= valid;
        }

        return ok && imported == secrets.Length;
    }

    private static async Task<string> OathtoolAsync(string secret)
    {
        using var process = Process.Start(new ProcessStartInfo("oathtool", ["--totp", "-b", secret]) { RedirectStandardOutput = true })!;
        var code = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        return code;
    }

    private sealed class NoCredentials : ICredentialStore
    {
        public bool TryGetSecret(string section, string optionName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? secret)
        {
            secret = null;
            return false;
        }

        public string Describe(string section, string optionName) => "nowhere";
    }
}
