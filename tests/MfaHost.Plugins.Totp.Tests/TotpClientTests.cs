using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using OtpNet;

namespace MfaHost.Plugins.Totp.Tests;

/// <summary>The plugin called directly (as the host does), over the real SQLite store and a fake clock.</summary>
public class TotpClientTests
{
    private TotpPluginHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new TotpPluginHarness();

    [TearDown]
    public void TearDown() => _harness.Dispose();

    private string CodeNow(TotpEnrollment enrollment, int stepOffset = 0)
    {
        var at = _harness.Time.GetUtcNow() + TimeSpan.FromSeconds(stepOffset * enrollment.Period);
        return enrollment.CreateTotp().ComputeTotp(at.UtcDateTime);
    }

    [Test]
    public async Task Accepts_the_current_code_of_an_enrolled_user()
    {
        var enrolled = await _harness.EnrollAsync();

        var verdict = await _harness.OtpAsync(CodeNow(enrolled.Enrollment));

        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Accept), verdict.Message);
        Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.Accepted));
    }

    [TestCase(-1, MfaVerdictKind.Accept)]
    [TestCase(1, MfaVerdictKind.Accept)]
    [TestCase(-2, MfaVerdictKind.Deny)]
    [TestCase(2, MfaVerdictKind.Deny)]
    public async Task Accepts_one_step_either_way_by_default_and_no_more(int offset, MfaVerdictKind expected)
    {
        var enrolled = await _harness.EnrollAsync();

        var verdict = await _harness.OtpAsync(CodeNow(enrolled.Enrollment, offset));

        Assert.That(verdict.Kind, Is.EqualTo(expected), verdict.Message);
    }

    [Test]
    public async Task Refuses_a_code_whose_step_was_already_used_as_replayed()
    {
        var enrolled = await _harness.EnrollAsync();
        var code = CodeNow(enrolled.Enrollment);

        var first = await _harness.OtpAsync(code);
        _harness.Time.Advance(TimeSpan.FromSeconds(30));
        var second = await _harness.OtpAsync(code);

        Assert.That(first.IsAccept, Is.True);
        Assert.That(second.Kind, Is.EqualTo(MfaVerdictKind.Deny));
        Assert.That(second.Reason, Is.EqualTo(MfaReasons.Replayed));
    }

    [Test]
    public async Task Refuses_a_replayed_code_after_a_restart()
    {
        var enrolled = await _harness.EnrollAsync();
        var code = CodeNow(enrolled.Enrollment);
        Assert.That((await _harness.OtpAsync(code)).IsAccept, Is.True);

        _harness.Restart();

        Assert.That((await _harness.OtpAsync(code)).Reason, Is.EqualTo(MfaReasons.Replayed));
    }

    [Test]
    public async Task Of_concurrent_logins_with_one_valid_code_exactly_one_is_accepted()
    {
        var enrolled = await _harness.EnrollAsync();
        var code = CodeNow(enrolled.Enrollment);

        var verdicts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => _harness.OtpAsync(code))));

        Assert.That(verdicts.Count(v => v.IsAccept), Is.EqualTo(1));
        Assert.That(verdicts.Where(v => !v.IsAccept).Select(v => v.Reason), Is.All.EqualTo(MfaReasons.Replayed));
    }

    [Test]
    public async Task An_unknown_user_is_denied_as_not_enrolled()
    {
        var verdict = await _harness.OtpAsync("123456", "mallory");

        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Deny));
        Assert.That(verdict.Reason, Is.EqualTo(TotpClient.NotEnrolledReason));
        Assert.That(verdict.Message, Is.EqualTo(TotpClient.WrongCode), "the same words as a wrong code: no user enumeration");
    }

    [TestCase("append a digit")]
    [TestCase("letter")]
    [TestCase("full-width digits")]
    public async Task Refuses_anything_but_exactly_the_enrolled_number_of_ascii_digits(string shape)
    {
        var enrolled = await _harness.EnrollAsync();
        var code = CodeNow(enrolled.Enrollment);
        var sent = shape switch
        {
            "append a digit" => code + "0",
            "letter" => "x" + code[1..],
            _ => new string([.. code.Select(c => (char)('\uFF10' + (c - '0')))]),
        };

        var verdict = await _harness.OtpAsync(sent);

        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Deny));
        Assert.That(verdict.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
    }

    [Test]
    public async Task A_push_request_is_answered_with_a_question_for_the_code()
    {
        await _harness.EnrollAsync();

        var verdict = await _harness.PushAsync();

        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.NeedInfo));
        Assert.That(verdict.Question, Is.EqualTo("One-time password: "));
        Assert.That(verdict.Key, Is.EqualTo("otp"));
        Assert.That(verdict.DisableEcho, Is.True);
    }

    [Test]
    public async Task A_push_request_of_an_unknown_user_is_asked_for_the_code_like_an_enrolled_one()
    {
        var verdict = await _harness.PushAsync("mallory");

        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.NeedInfo), "refusing at once would tell which names exist");
        Assert.That(verdict.Question, Is.EqualTo(TotpClient.OtpQuestion));
    }

    [Test]
    public async Task A_scratch_code_is_accepted_once_only()
    {
        var enrolled = await _harness.EnrollAsync();
        var scratch = enrolled.ScratchCodes[3];

        var first = await _harness.OtpAsync(scratch);
        var second = await _harness.OtpAsync(scratch);

        Assert.That(first.IsAccept, Is.True, first.Message);
        Assert.That(second.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
        Assert.That(await _harness.Enrollments().CountScratchCodesLeftAsync(enrolled.Enrollment, default), Is.EqualTo(9));
    }

    [Test]
    public async Task Concurrent_uses_of_one_scratch_code_are_accepted_once()
    {
        var enrolled = await _harness.EnrollAsync();

        var verdicts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => _harness.OtpAsync(enrolled.ScratchCodes[0]))));

        Assert.That(verdicts.Count(v => v.IsAccept), Is.EqualTo(1));
    }

    [Test]
    public async Task Another_users_scratch_code_is_refused()
    {
        await _harness.EnrollAsync("alice");
        var bob = await _harness.EnrollAsync("bob");

        Assert.That((await _harness.OtpAsync(bob.ScratchCodes[0], "alice")).IsAccept, Is.False);
    }

    [Test]
    public async Task Verifies_with_the_parameters_the_user_was_enrolled_with()
    {
        var enrolled = await _harness.EnrollAsync(settings: new TotpSettings { Digits = 8, Period = 60, Algorithm = OtpHashMode.Sha256 });

        var code = CodeNow(enrolled.Enrollment);

        Assert.That(code, Has.Length.EqualTo(8));
        Assert.That((await _harness.OtpAsync(code)).IsAccept, Is.True);
    }

    [Test]
    public async Task Never_logs_codes_or_secrets()
    {
        var enrolled = await _harness.EnrollAsync();
        var code = CodeNow(enrolled.Enrollment);
        await _harness.OtpAsync(code);
        await _harness.OtpAsync(code);
        await _harness.OtpAsync("987654");
        await _harness.OtpAsync(enrolled.ScratchCodes[0]);

        var all = string.Join("\n", _harness.Logger.Lines);
        Assert.That(_harness.Logger.Lines, Is.Not.Empty);
        Assert.That(all, Does.Not.Contain(code).And.Not.Contain("987654").And.Not.Contain(enrolled.ScratchCodes[0]).And.Not.Contain(enrolled.Enrollment.Secret));
    }

    [TestCase("[totp]\nalgorithm = MD5\n", "algorithm", "MD5")]
    [TestCase("[totp]\ndigits = 9\n", "digits", "9")]
    [TestCase("[totp]\nwindow = -1\n", "window", "-1")]
    [TestCase("[totp]\nissuer = a:b\n", "issuer", "a:b")]
    public void A_bad_option_is_a_configuration_error_naming_file_section_option_and_value(string ini, string option, string value)
    {
        var error = Assert.Throws<MfaConfigurationException>(() => _harness.CreateClient(ini));

        Assert.That(error!.Message, Does.Contain("totp.ini").And.Contain("[totp]").And.Contain(option).And.Contain(value));
    }
}
