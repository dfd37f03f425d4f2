using System.Text.RegularExpressions;
using MfaHost.Testing;

namespace MfaHost.Plugins.Totp.Tests.Cli;

/// <summary>
/// <c>mfahost totp</c> with no host running: the command loads the one instance itself and runs the plugin's admin
/// operations on the state store in the configuration's data folder (the README's "enroll, then start").
/// </summary>
public partial class TotpCommandTests
{
    private TempDirectory _temp = null!;
    private string _config = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        _config = CliHarness.WriteConfiguration(_temp, "issuer = Example Corp\n");
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task Enroll_prints_the_uri_a_qr_code_and_the_scratch_codes_and_stores_the_enrollment()
    {
        var (code, output, error) = await CliHarness.RunAsync("totp", "enroll", "alice", "--config", _config);

        Assert.That(code, Is.Zero, error);
        var uri = OtpAuthUri().Match(output);
        Assert.That(uri.Success, Is.True, output);
        Assert.That(uri.Value, Does.StartWith("otpauth://totp/Example%20Corp:alice?secret=").And.Contain("&issuer=Example%20Corp&algorithm=SHA1&digits=6&period=30"));
        Assert.That(output, Does.Contain("█"), "a QR code drawn in the terminal");
        var scratch = ScratchCode().Matches(output).Select(m => m.Groups[1].Value).ToList();
        Assert.That(scratch, Has.Count.EqualTo(10));

        var secret = Regex.Match(uri.Value, "secret=([A-Z2-7]+)&").Groups[1].Value;
        Assert.That(Base32Secret().IsMatch(secret), Is.True, uri.Value);
        var listed = await CliHarness.RunAsync("totp", "list", "--config", _config);
        Assert.That(listed.Out, Does.Contain("alice").And.Contain("pending until").And.Not.Contain(secret));
        Assert.That(output, Does.Contain("Pending until").And.Contain("mfahost totp confirm alice CODE"));
        Assert.That(File.Exists(_temp.Combine("config", "data", "state.db")), Is.True, "the enrollment is in the host's state store");
    }

    [Test]
    public async Task With_no_host_running_each_operation_is_an_audit_line_that_verify_accepts()
    {
        var enrolled = await CliHarness.RunAsync("totp", "enroll", "alice", "--no-confirm", "--config", _config);
        var again = await CliHarness.RunAsync("totp", "enroll", "alice", "--config", _config);
        Assert.That((enrolled.ExitCode, again.ExitCode), Is.EqualTo((0, 1)), enrolled.Error + again.Error);

        var lines = File.ReadAllLines(_temp.Combine("config", "data", "audit.jsonl"));
        var secret = Regex.Match(enrolled.Out, "secret=([A-Z2-7]+)&").Groups[1].Value;
        var verified = await CliHarness.RunAsync("audit", "verify", "--config", _config);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Length.EqualTo(2));
            Assert.That(lines[0], Does.Contain("\"method\":\"cli\"").And.Contain("\"action\":\"admin_operation\"").And.Contain("\"username\":\"alice\"").And.Contain("\"verdict\":\"OK\""));
            Assert.That(lines[1], Does.Contain("\"verdict\":\"REFUSED\"").And.Contain("\"reason\":\"operation_refused\""));
            Assert.That(string.Join('\n', lines), Does.Not.Contain(secret), "the seed reached the audit trail");
            Assert.That(verified.ExitCode, Is.Zero, verified.Error);
        });
    }

    [Test]
    public async Task Enroll_refuses_to_replace_an_enrollment_without_force()
    {
        var first = await CliHarness.RunAsync("totp", "enroll", "alice", "--no-confirm", "--config", _config);
        var again = await CliHarness.RunAsync("totp", "enroll", "alice", "--config", _config);
        var forced = await CliHarness.RunAsync("totp", "enroll", "alice", "--force", "--config", _config);

        Assert.That(first.ExitCode, Is.Zero);
        Assert.That(again.ExitCode, Is.EqualTo(1));
        Assert.That(again.Error, Does.Contain("already enrolled").And.Contain("--force"));
        Assert.That(forced.ExitCode, Is.Zero, forced.Error);
        Assert.That(OtpAuthUri().Match(forced.Out).Value, Is.Not.EqualTo(OtpAuthUri().Match(first.Out).Value));
    }

    [Test]
    public async Task Enroll_takes_the_issuer_option_and_writes_a_png()
    {
        var png = _temp.Combine("alice.png");

        var (code, output, error) = await CliHarness.RunAsync("totp", "enroll", "alice", "--issuer", "VPN", "--png", png, "--config", _config);

        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("otpauth://totp/VPN:alice?").And.Contain("&issuer=VPN&"));
        Assert.That(File.ReadAllBytes(png).Take(8), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }));
    }

    [Test]
    public async Task List_shows_users_enrollment_time_and_scratch_codes_left_but_never_secrets()
    {
        var enrolled = await CliHarness.RunAsync("totp", "enroll", "bob", "--no-confirm", "--config", _config);
        await CliHarness.RunAsync("totp", "enroll", "alice", "--no-confirm", "--config", _config);
        var secret = Regex.Match(enrolled.Out, "secret=([A-Z2-7]+)").Groups[1].Value;

        var (code, output, _) = await CliHarness.RunAsync("totp", "list", "--config", _config);

        Assert.That(code, Is.Zero);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("USER"));
        Assert.That(lines[1], Does.StartWith("alice").And.Contain("10 of 10"));
        Assert.That(lines[2], Does.StartWith("bob").And.Contain(DateTime.UtcNow.ToString("yyyy-MM-dd")));
        Assert.That(output, Does.Not.Contain(secret));
    }

    [Test]
    public async Task Remove_deletes_the_enrollment_and_exits_1_when_the_user_is_absent()
    {
        await CliHarness.RunAsync("totp", "enroll", "alice", "--config", _config);

        var removed = await CliHarness.RunAsync("totp", "remove", "alice", "--config", _config);
        var again = await CliHarness.RunAsync("totp", "remove", "alice", "--config", _config);
        var list = await CliHarness.RunAsync("totp", "list", "--config", _config);

        Assert.That(removed.ExitCode, Is.Zero);
        Assert.That(again.ExitCode, Is.EqualTo(1));
        Assert.That(again.Error, Does.Contain("alice is not enrolled"));
        Assert.That(list.Out, Does.Contain("no users enrolled"));
    }

    [Test]
    public async Task The_instance_option_selects_another_totp_instance()
    {
        _temp.Write("config/plugins/vpn.ini", "[plugin]\ntype = totp\n");

        await CliHarness.RunAsync("totp", "enroll", "alice", "--instance", "vpn", "--config", _config);

        Assert.That((await CliHarness.RunAsync("totp", "list", "--instance", "vpn", "--config", _config)).Out, Does.Contain("alice"));
        Assert.That((await CliHarness.RunAsync("totp", "list", "--config", _config)).Out, Does.Not.Contain("alice"));
    }

    [Test]
    public async Task An_unknown_instance_or_one_of_another_type_is_a_usage_error()
    {
        _temp.Write("config/plugins/acme.ini", "[plugin]\ntype = acme\n");

        var missing = await CliHarness.RunAsync("totp", "list", "--instance", "nope", "--config", _config);
        var other = await CliHarness.RunAsync("totp", "list", "--instance", "acme", "--config", _config);

        Assert.That(missing.ExitCode, Is.EqualTo(2));
        Assert.That(missing.Error, Does.Contain("no plugin instance 'nope'"));
        Assert.That(other.ExitCode, Is.EqualTo(2));
        Assert.That(other.Error, Does.Contain("not 'totp'"));
    }

    [Test]
    public async Task A_bad_totp_section_is_a_configuration_error()
    {
        _temp.Write("config/plugins/totp.ini", "[plugin]\ntype = totp\n\n[totp]\ndigits = 12\n");

        var (code, _, error) = await CliHarness.RunAsync("totp", "enroll", "alice", "--config", _config);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("totp.ini").And.Contain("digits").And.Contain("12"));
    }

    [Test]
    public async Task Enroll_without_a_user_is_a_usage_error()
    {
        Assert.That((await CliHarness.RunAsync("totp", "enroll", "--config", _config)).ExitCode, Is.EqualTo(2));
        Assert.That((await CliHarness.RunAsync("totp", "enroll", "a:b", "--config", _config)).ExitCode, Is.EqualTo(2));
    }

    [GeneratedRegex("^[A-Z2-7]{32}$")]
    private static partial Regex Base32Secret();

    [GeneratedRegex("otpauth://\\S+")]
    private static partial Regex OtpAuthUri();

    [GeneratedRegex("^  ([0-9]{8})$", RegexOptions.Multiline)]
    private static partial Regex ScratchCode();
}
