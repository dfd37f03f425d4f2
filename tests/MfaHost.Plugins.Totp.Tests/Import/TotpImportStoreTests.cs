using MfaHost.Plugins.Totp.Import;
using MfaHost.Plugins.Totp.Tests.Otp;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using OtpNet;

namespace MfaHost.Plugins.Totp.Tests.Import;

/// <summary>Imported users log in with codes computed by oathtool; existing users are kept unless replaced.</summary>
public class TotpImportStoreTests
{
    private TotpPluginHarness _harness = null!;
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _harness = new TotpPluginHarness($"[totp]\nseed_key = {Convert.ToBase64String(new byte[32])}\n");
        _dir = new TempDirectory();
    }

    [TearDown]
    public void TearDown()
    {
        _harness.Dispose();
        _dir.Dispose();
    }

    private static string NewSecret() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20)).TrimEnd('=');

    private Task<MfaVerdict> LoginAsync(string user, string code) =>
        _harness.Client.ExecuteAuthenticateAsync(new MfaRequest { Username = user, MfaIdentity = user, MfaPassword = code, Session = new MfaSession("s-" + Guid.NewGuid().ToString("N")) }, default);

    [Test]
    public async Task Users_imported_from_otpauth_uris_log_in_with_oathtool_codes()
    {
        var secrets = Enumerable.Range(0, 300).Select(i => ($"user{i}", NewSecret())).ToList();
        var file = _dir.Write("keys.txt", string.Join('\n', secrets.Select(s => $"otpauth://totp/Corp:{s.Item1}?secret={s.Item2}&issuer=Corp")));
        var imported = TotpImportReader.Read(file, TotpImportFormat.Uri);
        var progress = new List<int>();

        var (count, skipped) = await _harness.ClientEnrollments().ImportAsync(imported, replace: false, new SynchronousProgress(progress.Add), default);

        Assert.That((count, skipped), Is.EqualTo((300, 0)));
        Assert.That(progress.Last(), Is.EqualTo(300));
        foreach (var (user, secret) in new[] { secrets[0], secrets[150], secrets[299] })
        {
            var verdict = await LoginAsync(user, await Oathtool.TotpAsync(secret, _harness.Time.GetUtcNow()));
            Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Accept), $"{user}: {verdict.Message}");
        }
    }

    [Test]
    public async Task Google_authenticator_users_log_in_with_oathtool_codes_and_their_scratch_codes_once()
    {
        var secret = NewSecret();
        _dir.Write("ga/alice", $"{secret}\n\" RATE_LIMIT 3 30\n\" WINDOW_SIZE 3\n\" DISALLOW_REUSE\n\" TOTP_AUTH\n11112222\n33334444\n");
        var imported = TotpImportReader.Read(_dir.Combine("ga"), TotpImportFormat.GoogleAuthenticator);

        await _harness.ClientEnrollments().ImportAsync(imported, replace: false, null, default);

        Assert.That((await LoginAsync("alice", await Oathtool.TotpAsync(secret, _harness.Time.GetUtcNow()))).Kind, Is.EqualTo(MfaVerdictKind.Accept));
        Assert.That((await LoginAsync("alice", "33334444")).Kind, Is.EqualTo(MfaVerdictKind.Accept));
        Assert.That((await LoginAsync("alice", "33334444")).Kind, Is.EqualTo(MfaVerdictKind.Deny));
    }

    [Test]
    public async Task Existing_users_are_skipped_unless_replaced()
    {
        var enrolled = await _harness.ClientEnrollments().EnrollAsync("alice", new TotpSettings(), false, default);
        var newSecret = NewSecret();
        var file = _dir.Write("keys.csv", $"alice,{newSecret}\nbob,{NewSecret()}\n");
        var imported = TotpImportReader.Read(file, TotpImportFormat.Csv);

        var first = await _harness.ClientEnrollments().ImportAsync(imported, replace: false, null, default);
        var kept = await _harness.ClientEnrollments().GetAsync("alice", default);
        var forced = await _harness.ClientEnrollments().ImportAsync(imported, replace: true, null, default);
        var replaced = await _harness.ClientEnrollments().GetAsync("alice", default);

        Assert.That(first, Is.EqualTo((1, 1)));
        Assert.That(kept!.Secret, Is.EqualTo(enrolled!.Enrollment.Secret));
        Assert.That(forced, Is.EqualTo((2, 0)));
        Assert.That(replaced!.Secret, Is.EqualTo(newSecret));
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
