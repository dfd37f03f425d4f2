using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Totp.Tests;

/// <summary>
/// A new enrollment is pending until its first code: an enrollment whose output nobody saw strands no one, and with
/// replace the old enrollment keeps working until the new one is confirmed.
/// </summary>
public partial class PendingEnrollmentTests
{
    private TotpPluginHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new TotpPluginHarness("[totp]\npending_ttl = 3600\n");

    [TearDown]
    public void TearDown() => _harness.Dispose();

    private async Task<JsonNode> AdminAsync(string operation, JsonObject arguments) => (await _harness.Client.ExecuteAdminAsync(operation, arguments, default))!;

    private async Task<(string Secret, JsonNode Result)> EnrollAsync(string user, bool replace = false, bool noConfirm = false)
    {
        var result = await AdminAsync("enroll", new JsonObject { ["user"] = user, ["replace"] = replace, ["no_confirm"] = noConfirm });
        return (SecretInUri().Match(result["uri"]!.GetValue<string>()).Groups[1].Value, result);
    }

    private string Code(string secret, int stepsFromNow = 0) =>
        new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret)).ComputeTotp(_harness.Time.GetUtcNow().UtcDateTime.AddSeconds(30 * stepsFromNow));

    private async Task<JsonNode?> ListedAsync(string user) =>
        (await AdminAsync("list", []))["enrollments"]!.AsArray().SingleOrDefault(r => r!["user"]!.GetValue<string>() == user);

    [Test]
    public async Task A_new_enrollment_is_pending_until_the_first_login_with_a_code_from_it()
    {
        var (secret, result) = await EnrollAsync("alice");
        Assert.That(result["pending"]!.GetValue<bool>(), Is.True);
        Assert.That(await _harness.Enrollments().GetAsync("alice", default), Is.Null, "not active yet");

        var wrong = await _harness.OtpAsync("000000");
        var first = await _harness.OtpAsync(Code(secret));
        var replayed = await _harness.OtpAsync(Code(secret));
        _harness.Time.Advance(TimeSpan.FromSeconds(30));
        var next = await _harness.OtpAsync(Code(secret));

        Assert.That(wrong.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed), "a pending user is enrolled: a wrong code counts as one");
        Assert.That(first.Kind, Is.EqualTo(MfaVerdictKind.Accept));
        Assert.That(first.Message, Does.Contain("now active"));
        Assert.That(replayed.Reason, Is.EqualTo(MfaReasons.Replayed), "the confirming code is claimed like any login");
        Assert.That(next.Kind, Is.EqualTo(MfaVerdictKind.Accept));
        Assert.That(await _harness.Enrollments().GetAsync("alice", default), Is.Not.Null);
        Assert.That((await ListedAsync("alice"))!["pending_until"], Is.Null);
    }

    [Test]
    public async Task With_replace_the_old_enrollment_keeps_working_until_the_new_one_is_confirmed()
    {
        var (old, _) = await EnrollAsync("alice", noConfirm: true);
        var (renewed, _) = await EnrollAsync("alice", replace: true);

        Assert.That((await _harness.OtpAsync(Code(old))).Kind, Is.EqualTo(MfaVerdictKind.Accept), "the old one works while the new one is pending");
        Assert.That((await ListedAsync("alice"))!["replacement_pending_until"], Is.Not.Null);
        _harness.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await _harness.OtpAsync(Code(renewed))).Kind, Is.EqualTo(MfaVerdictKind.Accept), "the new one confirms at its first code");
        _harness.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await _harness.OtpAsync(Code(old))).Kind, Is.EqualTo(MfaVerdictKind.Deny), "and replaces the old one");
        Assert.That((await _harness.OtpAsync(Code(renewed))).Kind, Is.EqualTo(MfaVerdictKind.Accept));
    }

    [Test]
    public async Task Confirm_takes_a_current_code_of_the_pending_enrollment_only()
    {
        var (secret, _) = await EnrollAsync("alice");

        var wrong = Assert.ThrowsAsync<MfaAdminException>(() => AdminAsync("confirm", new JsonObject { ["user"] = "alice", ["code"] = Code(secret, 5) }));
        var confirmed = await AdminAsync("confirm", new JsonObject { ["user"] = "alice", ["code"] = Code(secret) });
        var again = Assert.ThrowsAsync<MfaAdminException>(() => AdminAsync("confirm", new JsonObject { ["user"] = "alice", ["code"] = Code(secret) }));

        Assert.That(wrong!.Message, Does.Contain("not a current code"));
        Assert.That(confirmed["confirmed"]!.GetValue<bool>(), Is.True);
        Assert.That(again!.Message, Does.Contain("no pending enrollment"));
        Assert.That((await _harness.OtpAsync(Code(secret))).Reason, Is.EqualTo(MfaReasons.Replayed), "the confirming code cannot log in");
    }

    [Test]
    public async Task A_pending_enrollment_expires_after_pending_ttl()
    {
        var (secret, result) = await EnrollAsync("alice");
        Assert.That(DateTimeOffset.Parse(result["pending_until"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(_harness.Time.GetUtcNow().AddHours(1)));

        _harness.Time.Advance(TimeSpan.FromMinutes(61));

        Assert.ThrowsAsync<MfaAdminException>(() => AdminAsync("confirm", new JsonObject { ["user"] = "alice", ["code"] = Code(secret) }));
        Assert.That((await _harness.OtpAsync(Code(secret))).Reason, Is.EqualTo(TotpClient.NotEnrolledReason));
        Assert.That(await ListedAsync("alice"), Is.Null);
    }

    [Test]
    public async Task An_enrollment_whose_output_was_never_shown_strands_nobody()
    {
        // As after a kill -9 of "mfahost totp enroll --force alice" before it printed: the store holds only a pending record.
        var (working, _) = await EnrollAsync("alice", noConfirm: true);
        await EnrollAsync("alice", replace: true);
        await EnrollAsync("bob");

        _harness.Restart();

        Assert.That((await _harness.OtpAsync(Code(working))).Kind, Is.EqualTo(MfaVerdictKind.Accept), "alice's enrollment is untouched");
        var (bobAgain, _) = await EnrollAsync("bob");
        Assert.That((await _harness.OtpAsync(Code(bobAgain), "bob")).Kind, Is.EqualTo(MfaVerdictKind.Accept), "bob is simply enrolled again, no --force needed");
    }

    [Test]
    public async Task A_scratch_code_of_the_pending_enrollment_confirms_it_and_no_confirm_is_active_at_once()
    {
        var (_, pending) = await EnrollAsync("alice");
        var (scripted, direct) = await EnrollAsync("bob", noConfirm: true);

        var scratch = await _harness.OtpAsync(pending["scratch_codes"]![0]!.GetValue<string>());

        Assert.That(scratch.Kind, Is.EqualTo(MfaVerdictKind.Accept));
        Assert.That(await _harness.Enrollments().GetAsync("alice", default), Is.Not.Null);
        Assert.That((await _harness.OtpAsync(pending["scratch_codes"]![0]!.GetValue<string>())).Kind, Is.EqualTo(MfaVerdictKind.Deny), "used once");
        Assert.That(direct["pending"]!.GetValue<bool>(), Is.False);
        Assert.That(await _harness.Enrollments().GetAsync("bob", default), Is.Not.Null);
        Assert.That(scripted, Is.Not.Empty);
    }

    [Test]
    public async Task Rekey_seals_pending_enrollments_too_and_remove_drops_them()
    {
        var (secret, _) = await EnrollAsync("alice");
        await EnrollAsync("bob");

        await AdminAsync("rekey", []);
        _harness.Restart();
        await AdminAsync("remove", new JsonObject { ["user"] = "bob" });

        Assert.That((await _harness.OtpAsync(Code(secret))).Kind, Is.EqualTo(MfaVerdictKind.Accept));
        Assert.That(await ListedAsync("bob"), Is.Null);
    }

    [GeneratedRegex("secret=([A-Z2-7]+)&")]
    private static partial Regex SecretInUri();
}
