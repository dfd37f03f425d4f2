using System.Diagnostics;
using MfaHost.Testing;

namespace MfaHost.Tests.Systemd;

/// <summary><c>deploy/systemd/mfahost.service</c> as systemd reads it.</summary>
[TestFixture]
public sealed class SystemdUnitTests
{
    private const string ShippedProgram = "/opt/mfahost/mfahost";

    private static string UnitText => File.ReadAllText(Path.Combine(HostBuildOutput.RepositoryRoot, "deploy", "systemd", "mfahost.service"));

    [Test]
    public async Task Systemd_analyze_verify_finds_nothing_to_say_about_the_unit()
    {
        using var directory = new TempDirectory();
        var unit = InstalledCopy(directory);

        var (exitCode, output) = await RunAsync("systemd-analyze", "verify", unit);

        // verify exits 0 on an unknown key (a warning), so its output must not mention this unit at all.
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output.Split('\n').Where(l => l.Contains("mfahost", StringComparison.Ordinal)), Is.Empty, output);
    }

    [Test]
    public async Task The_unit_is_hardened()
    {
        using var directory = new TempDirectory();
        var unit = InstalledCopy(directory);

        // Exposure 0 (locked down) to 10 (unsafe); the shipped unit is about 2. A change that loosens it fails here.
        var (exitCode, output) = await RunAsync("systemd-analyze", "security", "--offline=yes", "--threshold=25", unit);

        Assert.That(exitCode, Is.Zero, output);
        var lines = UnitText.Split('\n').Select(l => l.Trim()).ToList();
        Assert.That(lines, Is.SupersetOf(new[]
        {
            "Type=notify",
            "RuntimeDirectory=mfahost",
            "StateDirectory=mfahost",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ProtectHome=yes",
            "PrivateTmp=yes",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
            "CapabilityBoundingSet=",
        }));
        Assert.That(lines, Has.Some.StartWith("LoadCredential=").And.Some.StartWith("WatchdogSec="));
    }

    // The unit as shipped, with ExecStart's program pointing at this build's mfahost: verify checks that it exists.
    private static string InstalledCopy(TempDirectory directory)
    {
        var text = UnitText;
        Assert.That(text, Does.Contain("ExecStart=" + ShippedProgram + " "));
        return directory.Write("mfahost.service", text.Replace(ShippedProgram, HostBuildOutput.Program, StringComparison.Ordinal));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return (process.ExitCode, await output + await error);
    }
}
