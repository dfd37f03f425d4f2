using System.Diagnostics;
using System.Globalization;
using MfaHost.Client;
using OtpNet;

namespace MfaHost.Benchmarks;

/// <summary>
/// <c>totp-import-cli</c>: what an operator does, timed. Writes USERS otpauth URIs and a folder of USERS
/// google_authenticator files, runs <c>mfahost totp import</c> (a separate process, as typed) on each against the host
/// of CONFIG (through its socket when it runs), then authenticates a sample of the imported users through the socket
/// with codes computed by <c>oathtool</c>.
/// </summary>
internal static class TotpImportCliRun
{
    public static async Task<int> RunAsync(Options options)
    {
        var config = Path.GetFullPath(options.Required("config"));
        var socket = options.Required("socket");
        var mfahost = options.Required("mfahost");
        var users = options.Int("users", 100_000);
        var directory = Directory.CreateTempSubdirectory("mfahost-import-cli-");
        try
        {
            var tag = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
            var uriUsers = Enumerable.Range(0, users).Select(i => ($"uri{tag}-{i}", NewSecret())).ToArray();
            var gaUsers = Enumerable.Range(0, users).Select(i => ($"ga{tag}-{i}", NewSecret())).ToArray();
            var uris = Path.Combine(directory.FullName, "keys.txt");
            await File.WriteAllLinesAsync(uris, uriUsers.Select(u => $"otpauth://totp/Corp:{u.Item1}?secret={u.Item2}&issuer=Corp"));
            var folder = Directory.CreateDirectory(Path.Combine(directory.FullName, "ga")).FullName;
            foreach (var (user, secret) in gaUsers)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, user), $"{secret}\n\" RATE_LIMIT 3 30\n\" WINDOW_SIZE 3\n\" DISALLOW_REUSE\n\" TOTP_AUTH\n12345678\n87654321\n");
            }

            Console.WriteLine($"totp-import-cli: {users:N0} otpauth URIs ({new FileInfo(uris).Length / 1024:N0} KB) and {users:N0} google_authenticator files, through {socket}");
            var ok = await ImportAsync(mfahost, config, uris, "otpauth URIs") && await CheckAsync(socket, uriUsers);
            ok = ok && await ImportAsync(mfahost, config, folder, "google_authenticator folder") && await CheckAsync(socket, gaUsers);
            return ok ? 0 : 1;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string NewSecret() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20)).TrimEnd('=');

    private static async Task<bool> ImportAsync(string mfahost, string config, string input, string what)
    {
        var info = mfahost.EndsWith(".dll", StringComparison.Ordinal) ? new ProcessStartInfo("dotnet", [mfahost]) : new ProcessStartInfo(mfahost);
        foreach (var argument in new[] { "totp", "import", input, "--config", config, "--quiet" })
        {
            info.ArgumentList.Add(argument);
        }

        info.RedirectStandardOutput = true;
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Console.WriteLine($"{what}: mfahost totp import took {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s, exit {process.ExitCode}: {output.Trim()}");
        return process.ExitCode == 0;
    }

    private static async Task<bool> CheckAsync(string socket, (string User, string Secret)[] users)
    {
        await using var client = await MfaHostClient.ConnectAsync(socket);
        var ok = true;
        foreach (var (user, secret) in new[] { users[0], users[users.Length / 2], users[^1] })
        {
            using var oathtool = Process.Start(new ProcessStartInfo("oathtool", ["--totp", "-b", secret]) { RedirectStandardOutput = true })!;
            var code = (await oathtool.StandardOutput.ReadToEndAsync()).Trim();
            await oathtool.WaitForExitAsync();
            var result = await client.AuthenticateAsync(new AuthenticateParams { Plugin = "totp", SessionId = "import-" + user, Username = user, MfaPassword = code });
            Console.WriteLine($"  {user}: oathtool code through the socket: {result.Verdict}");
            ok &= result.IsAccept;
        }

        return ok;
    }
}
