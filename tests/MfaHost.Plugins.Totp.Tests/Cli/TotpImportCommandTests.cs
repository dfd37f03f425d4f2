using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Testing;
using OtpNet;

namespace MfaHost.Plugins.Totp.Tests.Cli;

/// <summary>
/// <c>mfahost totp import</c> with no host running (the instance loaded by the command): all or nothing, existing
/// users kept unless --force, dry runs, progress, and inputs that are wrong in every way a file can be.
/// </summary>
public class TotpImportCommandTests
{
    private TempDirectory _temp = null!;
    private string _config = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        _config = CliHarness.WriteConfiguration(_temp, "");
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    private static string NewSecret() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20)).TrimEnd('=');

    private Task<(int ExitCode, string Out, string Error)> ImportAsync(params string[] args) =>
        CliHarness.RunAsync(["totp", "import", .. args, "--config", _config]);

    /// <summary>The stored enrollments, read the way the plugin reads them.</summary>
    private async Task<IReadOnlyList<TotpEnrollment>> StoredAsync()
    {
        var key = _temp.Combine("config", "data", "plugins", "totp", GeneratedSeedKey.FileName);
        using var store = SqliteStateStore.InDirectory(_temp.Combine("config", "data"), TimeProvider.System);
        var protector = File.Exists(key) ? SeedProtector.FromKeys(File.ReadAllText(key).Trim(), null) : null;
        return await new TotpEnrollmentStore(new NamespacedStateStore(store, "totp"), TimeProvider.System, protector).ListAsync(default);
    }

    [Test]
    public async Task A_bad_line_anywhere_imports_nothing_and_every_bad_line_is_reported_with_file_and_line()
    {
        var lines = Enumerable.Range(0, 3000).Select(i => $"otpauth://totp/Corp:user{i}?secret={NewSecret()}&issuer=Corp").ToList();
        lines[2500] = "otpauth://totp/Corp:user2500?secret=NOT-BASE32!&issuer=Corp";
        lines[2900] = lines[10];
        var file = _temp.Write("keys.txt", string.Join('\n', lines));

        var (code, output, error) = await ImportAsync(file);

        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(error, Does.Contain("Nothing imported: 2 error(s)")
            .And.Contain($"{file}:2501: the secret is not Base32")
            .And.Contain($"{file}:2901: user 'user10' appears a second time (first at {file}:11)"));
        Assert.That(error, Does.Not.Contain(lines[3].Split("secret=")[1][..32]), "no secret in a message");
        Assert.That(await StoredAsync(), Is.Empty, "nothing half-imported although the bad lines came in a later part");
    }

    [Test]
    public async Task Existing_users_are_skipped_unless_force_and_a_dry_run_writes_nothing()
    {
        var enrolled = await CliHarness.RunAsync("totp", "enroll", "alice", "--no-confirm", "--config", _config);
        Assert.That(enrolled.ExitCode, Is.Zero, enrolled.Error);
        var before = (await StoredAsync()).Single().Secret;
        var aliceSecret = NewSecret();
        var file = _temp.Write("users.csv", $"user,secret,algorithm,digits,period\nalice,{aliceSecret}\nbob,{NewSecret()},SHA256,8,60\n");

        var dry = await ImportAsync(file, "--dry-run");
        Assert.That(dry.ExitCode, Is.Zero, dry.Error);
        Assert.That(dry.Out, Does.Contain("Dry run").And.Contain("1 would be imported").And.Contain("alice"));
        Assert.That(await StoredAsync(), Has.Count.EqualTo(1));

        var plain = await ImportAsync(file);
        Assert.That(plain.ExitCode, Is.Zero, plain.Error);
        Assert.That(plain.Out, Does.Contain("Imported 1 enrollment(s)").And.Contain("1 already enrolled, skipped (alice)"));
        var stored = await StoredAsync();
        Assert.That(stored.Single(e => e.User == "alice").Secret, Is.EqualTo(before), "alice keeps her enrollment");
        Assert.That(stored.Single(e => e.User == "bob"), Has.Property("Digits").EqualTo(8).And.Property("Period").EqualTo(60).And.Property("Algorithm").EqualTo(OtpHashMode.Sha256));

        var forced = await ImportAsync(file, "--force");
        Assert.That(forced.ExitCode, Is.Zero, forced.Error);
        Assert.That((await StoredAsync()).Single(e => e.User == "alice").Secret, Is.EqualTo(aliceSecret));
    }

    [Test]
    public async Task Progress_goes_to_stderr_with_progress_and_never_with_quiet()
    {
        var file = _temp.Write("keys.txt", string.Join('\n', Enumerable.Range(0, 50).Select(i => $"otpauth://totp/u{i}?secret={NewSecret()}")));

        var shown = await ImportAsync(file, "--progress", "--force");
        var quiet = await ImportAsync(file, "--quiet", "--force");
        var piped = await ImportAsync(file, "--force");

        Assert.That(shown.Error, Does.Contain("reading: 100%").And.Contain("importing: 100% (50 of 50 users)"));
        Assert.That(shown.Out, Does.Not.Contain("%"), "stdout carries only the result");
        Assert.That(quiet.Error + piped.Error, Does.Not.Contain("%"), "no bar when stderr is not a terminal unless asked for");
        Assert.That(quiet.Out, Does.Contain("Imported 50"));
    }

    [Test]
    public async Task A_line_too_long_for_a_frame_is_reported_at_its_line_and_a_huge_state_file_by_name()
    {
        var file = _temp.Write("keys.txt", $"otpauth://totp/a?secret={NewSecret()}\notpauth://totp/b?secret={new string('A', 100_000)}\n");
        _temp.Write("ga/carol", new string('A', 20_000));
        _temp.Write("ga/dave", $"{NewSecret()}\n\" HOTP_COUNTER 1\n");

        var (code, _, error) = await ImportAsync(file);
        var folder = await ImportAsync(_temp.Combine("ga"));

        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain($"{file}:2: "));
        Assert.That(folder.ExitCode, Is.EqualTo(1));
        Assert.That(folder.Error, Does.Contain(_temp.Combine("ga", "carol") + ": larger than 16 KB")
            .And.Contain(_temp.Combine("ga", "dave") + ":2: HOTP_COUNTER"));
        Assert.That(await StoredAsync(), Is.Empty);
    }

    [TestCase("missing.txt", null, "no such file or folder")]
    [TestCase("folder", "uri", "only --format google-authenticator reads folders")]
    [TestCase("keys.txt", "pdf", "pdf")]
    public async Task Wrong_arguments_are_usage_errors(string input, string? format, string message)
    {
        Directory.CreateDirectory(_temp.Combine("folder"));
        _temp.Write("keys.txt", "x\n");
        string[] args = format is null ? [_temp.Combine(input)] : [_temp.Combine(input), "--format", format];

        var (code, _, error) = await ImportAsync(args);

        Assert.That(code, Is.EqualTo(2), error);
        Assert.That(error, Does.Contain(message));
    }

    [Test]
    public async Task An_empty_file_or_one_of_comments_only_imports_nothing_and_says_so()
    {
        var empty = await ImportAsync(_temp.Write("empty.txt", ""));
        var comments = await ImportAsync(_temp.Write("comments.txt", "# nothing here\n\n"));

        Assert.That(empty.ExitCode, Is.EqualTo(1));
        Assert.That(empty.Error, Does.Contain("is empty"));
        Assert.That(comments.ExitCode, Is.EqualTo(1));
        Assert.That(comments.Error, Does.Contain("nothing to import"));
    }
}
