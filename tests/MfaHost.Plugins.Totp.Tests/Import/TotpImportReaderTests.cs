using MfaHost.Plugins.Totp.Import;
using MfaHost.Testing;
using OtpNet;

namespace MfaHost.Plugins.Totp.Tests.Import;

/// <summary>The import formats read whole files: every bad line named with its number, nothing returned on any error.</summary>
public class TotpImportReaderTests
{
    private const string Secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    private const string OtherSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static TotpImportException Refused(string path, TotpImportFormat format) =>
        Assert.Throws<TotpImportException>(() => TotpImportReader.Read(path, format))!;

    [Test]
    public void Otpauth_uris_keep_user_algorithm_digits_and_period_and_skip_comments_and_blank_lines()
    {
        var file = _dir.Write("keys.txt", $"""
            # exported 2026-11-30

            otpauth://totp/ACME%20Co:alice@example.com?secret={Secret.ToLowerInvariant()}&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60
            otpauth://totp/bob?secret={OtherSecret}&image=https%3A%2F%2Fexample.com%2Fx.png
            """);

        var imported = TotpImportReader.Read(file, TotpImportFormat.Uri);

        Assert.That(imported, Has.Count.EqualTo(2));
        Assert.That(imported[0].User, Is.EqualTo("alice@example.com"));
        Assert.That(imported[0].Secret, Is.EqualTo(Secret));
        Assert.That((imported[0].Algorithm, imported[0].Digits, imported[0].Period), Is.EqualTo((OtpHashMode.Sha256, 8, 60)));
        Assert.That(imported[0].Source, Is.EqualTo($"{file}:3"));
        Assert.That((imported[1].User, imported[1].Algorithm, imported[1].Digits, imported[1].Period), Is.EqualTo(("bob", OtpHashMode.Sha1, 6, 30)));
    }

    [Test]
    public void Every_bad_uri_line_is_reported_with_its_number_and_nothing_is_returned()
    {
        var file = _dir.Write("keys.txt", $"""
            otpauth://totp/alice?secret={Secret}
            otpauth://hotp/bob?secret={Secret}&counter=1
            https://example.com/carol?secret={Secret}
            otpauth://totp/dave?secret=NOT-BASE32!
            otpauth://totp/erin?secret={Secret}&digits=9
            otpauth://totp/frank?secret={Secret}&period=0
            otpauth://totp/Corp:gina?secret={Secret}&issuer=Other
            otpauth://totp/hank?secret=JBSWY3DP
            otpauth://totp/alice?secret={OtherSecret}
            otpauth://totp/ivan?secret={Secret}&algorithm=MD5
            """);

        var error = Refused(file, TotpImportFormat.Uri);

        Assert.That(error.Errors, Is.EqualTo(new[]
        {
            $"{file}:2: otpauth://hotp (counter-based) keys are not supported, only otpauth://totp",
            $"{file}:3: not an otpauth:// URI",
            $"{file}:4: the secret is not Base32: character 4 is outside A-Z, 2-7",
            $"{file}:5: digits '9' is not a whole number from 6 to 8",
            $"{file}:6: period '0' is not a whole number from 1 to 3600",
            $"{file}:7: the label's issuer 'Corp' differs from the issuer parameter 'Other'",
            $"{file}:8: the secret has 40 bits; at least 80 are required",
            $"{file}:9: user 'alice' appears a second time (first at {file}:1)",
            $"{file}:10: algorithm 'MD5' is not one of SHA1, SHA256, SHA512",
        }));
        Assert.That(error.Message, Does.StartWith("Nothing imported: 9 error(s)"));
    }

    [Test]
    public void Errors_never_repeat_a_secret()
    {
        var file = _dir.Write("keys.csv", $"alice,{Secret}x\nbob,{Secret},SHA1,6,abc\n\"carol,{Secret}\n");

        var error = Refused(file, TotpImportFormat.Csv);

        Assert.That(error.Errors, Has.Count.EqualTo(3));
        Assert.That(error.Message, Does.Not.Contain(Secret).IgnoreCase.And.Not.Contain("JBSWY3DP").IgnoreCase);
    }

    [Test]
    public void Csv_takes_a_header_quoted_fields_and_optional_columns()
    {
        var file = _dir.Write("keys.csv", $"""
            user,secret,algorithm,digits,period
            alice,{Secret}
            "smith, bob",{OtherSecret},sha512,7,45
            # a comment
            carol,{Secret},,,
            """);

        var imported = TotpImportReader.Read(file, TotpImportFormat.Csv);

        Assert.That(imported.Select(i => i.User), Is.EqualTo(new[] { "alice", "smith, bob", "carol" }));
        Assert.That((imported[1].Algorithm, imported[1].Digits, imported[1].Period), Is.EqualTo((OtpHashMode.Sha512, 7, 45)));
        Assert.That((imported[2].Algorithm, imported[2].Digits, imported[2].Period), Is.EqualTo((OtpHashMode.Sha1, 6, 30)));
    }

    [Test]
    public void Csv_refuses_wrong_field_counts_unclosed_quotes_and_empty_users()
    {
        var file = _dir.Write("keys.csv", $"alice\n\"bob,{Secret}\n,{Secret}\ndave,{Secret},SHA1,6,30,extra\n");

        var error = Refused(file, TotpImportFormat.Csv);

        Assert.That(error.Errors, Is.EqualTo(new[]
        {
            $"{file}:1: 1 field(s); expected user,secret[,algorithm,digits,period]",
            $"{file}:2: a quoted field is not closed",
            $"{file}:3: the user name is missing",
            $"{file}:4: 6 field(s); expected user,secret[,algorithm,digits,period]",
        }));
    }

    [Test]
    public void A_folder_of_google_authenticator_files_gives_secrets_periods_scratch_codes_and_notes()
    {
        _dir.Write("ga/alice", $"{Secret}\n\" RATE_LIMIT 3 30 1764460000\n\" WINDOW_SIZE 17\n\" DISALLOW_REUSE 58815333\n\" TOTP_AUTH\n12345678\n87654321\n");
        _dir.Write("ga/bob", $"{OtherSecret}\n\" STEP_SIZE 60\n\" WINDOW_SIZE 3\n\" TOTP_AUTH\n");
        _dir.Write("ga/.hidden", "not a user\n");

        var imported = TotpImportReader.Read(_dir.Combine("ga"), TotpImportFormat.GoogleAuthenticator);

        Assert.That(imported.Select(i => i.User), Is.EqualTo(new[] { "alice", "bob" }));
        Assert.That(imported[0].Secret, Is.EqualTo(Secret));
        Assert.That(imported[0].ScratchCodes, Is.EqualTo(new[] { "12345678", "87654321" }));
        Assert.That(imported[0].Notes, Is.EqualTo(new[]
        {
            "RATE_LIMIT is not kept per user: the host's [lockout] applies",
            "WINDOW_SIZE 17 is not kept per user: the instance's [totp] window applies",
        }));
        Assert.That((imported[1].Period, imported[1].ScratchCodes.Count, imported[1].Notes.Count), Is.EqualTo((60, 0, 0)));
    }

    [Test]
    public void Google_authenticator_hotp_unknown_options_and_garbage_are_refused_for_the_whole_folder()
    {
        _dir.Write("ga/alice", $"{Secret}\n\" TOTP_AUTH\n12345678\n");
        _dir.Write("ga/bob", $"{Secret}\n\" HOTP_COUNTER 1\n");
        _dir.Write("ga/carol", $"{Secret}\n\" SOMETHING_NEW\n1234\n");
        _dir.Write("ga/dave", "\u0001\u0002binary\n");

        var error = Refused(_dir.Combine("ga"), TotpImportFormat.GoogleAuthenticator);

        var ga = _dir.Combine("ga");
        Assert.That(error.Errors, Is.EqualTo(new[]
        {
            $"{ga}/bob:2: HOTP_COUNTER: counter-based (HOTP) enrollments are not supported, only time-based (TOTP)",
            $"{ga}/carol:2: unknown option 'SOMETHING_NEW'",
            $"{ga}/carol:3: neither an option (\" NAME) nor an 8-digit scratch code",
            $"{ga}/dave:1: the secret is not Base32: character 1 is outside A-Z, 2-7",
        }));
    }

    [Test]
    public void A_file_named_dot_google_authenticator_has_no_user_and_is_refused()
    {
        var file = _dir.Write(".google_authenticator", $"{Secret}\n\" TOTP_AUTH\n");

        var error = Refused(file, TotpImportFormat.GoogleAuthenticator);

        Assert.That(error.Errors.Single(), Does.Contain("not named after its user"));
    }

    [Test]
    public void A_missing_file_is_an_error_not_an_exception_of_another_kind()
    {
        Assert.That(Refused(_dir.Combine("absent"), TotpImportFormat.Uri).Errors.Single(), Does.EndWith("no such file"));
        Assert.That(Refused(_dir.Combine("absent"), TotpImportFormat.GoogleAuthenticator).Errors.Single(), Does.EndWith("no such file or folder"));
    }

    [Test]
    public void The_format_is_detected_from_the_content()
    {
        Assert.That(TotpImportReader.Detect(_dir.Write("a", $"# x\notpauth://totp/a?secret={Secret}\n")), Is.EqualTo(TotpImportFormat.Uri));
        Assert.That(TotpImportReader.Detect(_dir.Write("b", $"user,secret\na,{Secret}\n")), Is.EqualTo(TotpImportFormat.Csv));
        Assert.That(TotpImportReader.Detect(_dir.Write("c", $"{Secret}\n\" TOTP_AUTH\n")), Is.EqualTo(TotpImportFormat.GoogleAuthenticator));
        Assert.That(TotpImportReader.Detect(_dir.Path), Is.EqualTo(TotpImportFormat.GoogleAuthenticator));
    }
}
