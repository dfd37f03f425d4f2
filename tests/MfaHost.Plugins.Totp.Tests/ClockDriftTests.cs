using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Totp.Tests;

/// <summary>[totp] window and resync_window with a fake clock: a phone running late keeps working once its drift is recorded.</summary>
public class ClockDriftTests
{
    private TotpPluginHarness _harness = null!;

    [TearDown]
    public void TearDown() => _harness.Dispose();

    private string PhoneCode(TotpEnrollment enrollment, int secondsOff) =>
        enrollment.CreateTotp().ComputeTotp(_harness.Time.GetUtcNow().AddSeconds(secondsOff).UtcDateTime);

    [Test]
    public async Task Without_resync_a_phone_60_s_late_is_refused_by_the_default_window()
    {
        _harness = new TotpPluginHarness();
        var alice = await _harness.EnrollAsync();

        var verdict = await _harness.OtpAsync(PhoneCode(alice.Enrollment, -60));

        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Deny));
    }

    [Test]
    public async Task A_phone_60_s_late_logs_in_through_the_resync_window_once_and_then_within_the_normal_window()
    {
        _harness = new TotpPluginHarness("[totp]\nwindow = 1\nresync_window = 3\n");
        var alice = await _harness.EnrollAsync();

        var first = await _harness.OtpAsync(PhoneCode(alice.Enrollment, -60));
        var recorded = await _harness.Enrollments().GetAsync("alice", default);
        _harness.Time.Advance(TimeSpan.FromSeconds(30));
        _harness.Restart();
        var later = await _harness.OtpAsync(PhoneCode(alice.Enrollment, -60));
        _harness.Time.Advance(TimeSpan.FromSeconds(60));
        var drifting = await _harness.OtpAsync(PhoneCode(alice.Enrollment, -90));

        Assert.That(first.Kind, Is.EqualTo(MfaVerdictKind.Accept), first.Message);
        Assert.That(recorded!.Drift, Is.EqualTo(-2));
        Assert.That(later.Kind, Is.EqualTo(MfaVerdictKind.Accept), later.Message);
        Assert.That(drifting.Kind, Is.EqualTo(MfaVerdictKind.Accept), "90 s late is one step from the recorded drift");
        Assert.That(_harness.Logger.Lines, Has.Some.Contains("clock drift of alice recorded: -2"));
    }

    [Test]
    public async Task A_code_beyond_the_resync_window_is_refused_and_records_nothing()
    {
        _harness = new TotpPluginHarness("[totp]\nresync_window = 3\n");
        var alice = await _harness.EnrollAsync();

        var verdict = await _harness.OtpAsync(PhoneCode(alice.Enrollment, -150));

        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Deny));
        Assert.That((await _harness.Enrollments().GetAsync("alice", default))!.Drift, Is.Zero);
    }

    [Test]
    public async Task After_the_phone_is_fixed_the_resync_window_brings_the_drift_back_to_zero()
    {
        _harness = new TotpPluginHarness("[totp]\nresync_window = 3\n");
        var alice = await _harness.EnrollAsync();
        await _harness.OtpAsync(PhoneCode(alice.Enrollment, -90));
        _harness.Time.Advance(TimeSpan.FromSeconds(30));

        var fixedPhone = await _harness.OtpAsync(PhoneCode(alice.Enrollment, 0));

        Assert.That(fixedPhone.Kind, Is.EqualTo(MfaVerdictKind.Accept), fixedPhone.Message);
        Assert.That((await _harness.Enrollments().GetAsync("alice", default))!.Drift, Is.Zero);
    }

    [Test]
    public async Task Window_zero_accepts_only_the_current_step()
    {
        _harness = new TotpPluginHarness("[totp]\nwindow = 0\n");
        var alice = await _harness.EnrollAsync();

        Assert.That((await _harness.OtpAsync(PhoneCode(alice.Enrollment, -30))).Kind, Is.EqualTo(MfaVerdictKind.Deny));
        Assert.That((await _harness.OtpAsync(PhoneCode(alice.Enrollment, 0))).Kind, Is.EqualTo(MfaVerdictKind.Accept));
    }

    [TestCase("window = 2\nresync_window = 2")]
    [TestCase("resync_window = 21")]
    public void A_resync_window_not_wider_than_the_window_is_a_configuration_error(string options)
    {
        _harness = new TotpPluginHarness();

        var error = Assert.Throws<MfaConfigurationException>(() => _harness.CreateClient("[totp]\n" + options + "\n"))!;

        Assert.That(error.Message, Does.Contain("resync_window"));
    }
}
