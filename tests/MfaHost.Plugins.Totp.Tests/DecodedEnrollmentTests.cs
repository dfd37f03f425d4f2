using System.Security.Cryptography;
using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Totp.Tests;

/// <summary>
/// The plugin keeps decoded enrollments between logins (no JSON, AES-GCM or Base32 per login): every change made by
/// another writer of the store (here a second store on the same file, as <c>mfahost totp</c> without a host or a
/// second host) must count from the very next login, and single use must hold with a warm cache.
/// </summary>
public class DecodedEnrollmentTests
{
    private static readonly string Ini = $"[totp]\nseed_key = {Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}\n";

    private TotpPluginHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new TotpPluginHarness(Ini);

    [TearDown]
    public void TearDown() => _harness.Dispose();

    private string CodeAt(TotpEnrollment enrollment, int stepOffset = 0) =>
        enrollment.CreateTotp().ComputeTotp((_harness.Time.GetUtcNow() + TimeSpan.FromSeconds(stepOffset * enrollment.Period)).UtcDateTime);

    private async Task<TotpEnrollment> EnrollAsync(string user = "alice", bool replace = false) =>
        (await _harness.ClientEnrollments().EnrollAsync(user, new TotpSettings(), replace, default))!.Enrollment;

    [Test]
    public async Task A_removed_enrollment_stops_working_at_the_next_login()
    {
        var enrollment = await EnrollAsync();
        Assert.That((await _harness.OtpAsync(CodeAt(enrollment, -1))).IsAccept, Is.True, "first login: decoded and kept");

        Assert.That(await _harness.ClientEnrollments().RemoveAsync("alice", default), Is.True);
        var verdict = await _harness.OtpAsync(CodeAt(enrollment));

        Assert.That(verdict.Reason, Is.EqualTo(TotpClient.NotEnrolledReason));
    }

    [Test]
    public async Task A_replaced_enrollment_takes_effect_at_the_next_login_and_the_old_secret_stops()
    {
        var old = await EnrollAsync();
        Assert.That((await _harness.OtpAsync(CodeAt(old, -1))).IsAccept, Is.True);

        var replacement = await EnrollAsync(replace: true);
        var oldCode = await _harness.OtpAsync(CodeAt(old));
        var newCode = await _harness.OtpAsync(CodeAt(replacement, 1));

        Assert.That(oldCode.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
        Assert.That(newCode.IsAccept, Is.True, newCode.Message);
    }

    [Test]
    public async Task Re_enrolling_after_a_removal_works_at_once()
    {
        var first = await EnrollAsync();
        Assert.That((await _harness.OtpAsync(CodeAt(first, -1))).IsAccept, Is.True);
        await _harness.ClientEnrollments().RemoveAsync("alice", default);
        Assert.That((await _harness.OtpAsync(CodeAt(first))).IsAccept, Is.False);

        var second = await EnrollAsync();

        Assert.That((await _harness.OtpAsync(CodeAt(second, 1))).IsAccept, Is.True);
    }

    [Test]
    public async Task Of_fifty_concurrent_logins_with_one_code_on_a_warm_cache_exactly_one_is_accepted()
    {
        var enrollment = await EnrollAsync();
        Assert.That((await _harness.OtpAsync(CodeAt(enrollment, -1))).IsAccept, Is.True, "warms the cache");
        var code = CodeAt(enrollment);

        var verdicts = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => _harness.OtpAsync(code))));

        Assert.That(verdicts.Count(v => v.IsAccept), Is.EqualTo(1));
        Assert.That(verdicts.Where(v => !v.IsAccept).Select(v => v.Reason), Is.All.EqualTo(MfaReasons.Replayed));
    }

    [Test]
    public async Task Users_never_get_each_others_decoded_enrollment()
    {
        var alice = await EnrollAsync("alice");
        var bob = await EnrollAsync("bob");
        Assert.That((await _harness.OtpAsync(CodeAt(alice, -1), "alice")).IsAccept, Is.True);
        Assert.That((await _harness.OtpAsync(CodeAt(bob, -1), "bob")).IsAccept, Is.True);

        Assert.That((await _harness.OtpAsync(CodeAt(bob), "alice")).IsAccept, Is.False);
        Assert.That((await _harness.OtpAsync(CodeAt(alice), "bob")).IsAccept, Is.False);
    }

    [Test]
    public void At_capacity_the_cache_starts_over_and_still_decodes_what_it_is_given()
    {
        var decoded = new DecodedEnrollments(capacity: 2);
        var decodes = 0;
        TotpEnrollment Decode(string stored)
        {
            decodes++;
            return new TotpEnrollment { User = stored, Secret = "JBSWY3DPEHPK3PXP", Id = stored };
        }

        decoded.Get("a", "a", Decode);
        decoded.Get("b", "b", Decode);
        Assert.That(decoded.Get("a", "a", Decode).User, Is.EqualTo("a"));
        Assert.That(decodes, Is.EqualTo(2), "a hit decodes nothing");

        Assert.That(decoded.Get("c", "c", Decode).User, Is.EqualTo("c"));
        Assert.That(decoded.Count, Is.EqualTo(1));
        Assert.That(decoded.Get("a", "a2", Decode).Id, Is.EqualTo("a2"), "another stored value is decoded afresh");
    }
}
