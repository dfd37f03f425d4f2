using System.Security.Cryptography;
using System.Text;
using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Configuration;

namespace MfaHost.Plugins.Totp.Tests;

/// <summary>Secrets sealed at rest with [totp] seed_key: migration of a plain store, refusal without the right key, rotation.</summary>
public class SeedEncryptionTests
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string NewKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    private TotpPluginHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new TotpPluginHarness(start: false);

    [TearDown]
    public void TearDown() => _harness.Dispose();

    private static string WithKey(string key, string? previous = null) =>
        $"[totp]\nseed_key = {key}\n" + (previous is null ? "" : $"seed_key_previous = {previous}\n");

    private string CodeNow(TotpEnrollment enrollment) => enrollment.CreateTotp().ComputeTotp(_harness.Time.GetUtcNow().UtcDateTime);

    [Test]
    public async Task A_plain_store_is_sealed_on_the_first_start_with_a_key_and_strings_finds_no_secret_in_the_file()
    {
        var alice = await _harness.EnrollAsync("alice");
        var bob = await _harness.EnrollAsync("bob");

        _harness.CreateClient(WithKey(Key));
        _harness.CloseStores();

        var file = Path.Combine(_harness.DataDirectory, "state.db");
        var text = StringsTool.Run(file);
        Assert.That(text, Does.Contain("v1:"), "the sealed values are in the file");
        Assert.That(text, Does.Not.Contain(alice.Enrollment.Secret[..16]).And.Not.Contain(bob.Enrollment.Secret[..16]));
        Assert.That(Directory.GetFiles(_harness.DataDirectory, "state.db-wal"), Is.Empty);
        Assert.That(_harness.Logger.Lines, Has.Some.Contains("sealed with the current seed key"));
    }

    [Test]
    public async Task After_sealing_users_log_in_with_their_old_codes_and_new_enrollments_are_sealed_too()
    {
        var alice = await _harness.EnrollAsync("alice");
        var client = _harness.CreateClient(WithKey(Key));

        var verdict = await client.ExecuteAuthenticateAsync(Request("alice", CodeNow(alice.Enrollment)), default);

        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Accept), verdict.Message);
    }

    [Test]
    public async Task A_sealed_store_refuses_to_start_without_the_key_or_with_another_key_and_never_shows_a_key()
    {
        await _harness.EnrollAsync("alice");
        _harness.CreateClient(WithKey(Key));

        var missing = Assert.Throws<MfaConfigurationException>(() => _harness.CreateClient("[totp]\n"))!;
        var wrong = Assert.Throws<MfaConfigurationException>(() => _harness.CreateClient(WithKey(NewKey)))!;

        Assert.That(missing.Message, Does.Contain("encrypted").And.Contain("seed_key").And.Contain("is not set").And.Contain(GeneratedSeedKey.FileName));
        Assert.That(wrong.Message, Does.Contain("is not the key the enrollments are encrypted with").And.Contain("seed_key_previous"));
        Assert.That(wrong.Message, Does.Not.Contain(Key).And.Not.Contain(NewKey));
    }

    [Test]
    public async Task Rotation_reseals_under_the_new_key_so_the_old_one_can_be_dropped()
    {
        var alice = await _harness.EnrollAsync("alice");
        _harness.CreateClient(WithKey(Key));

        _harness.CreateClient(WithKey(NewKey, previous: Key));
        var client = _harness.CreateClient(WithKey(NewKey));

        var verdict = await client.ExecuteAuthenticateAsync(Request("alice", CodeNow(alice.Enrollment)), default);
        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Accept), verdict.Message);
        Assert.Throws<MfaConfigurationException>(() => _harness.CreateClient(WithKey(Key)));
    }

    [TestCase("c2hvcnQ=")]
    [TestCase("not base64 at all!")]
    public void A_key_that_is_not_32_bytes_is_a_configuration_error(string key)
    {
        var error = Assert.Throws<MfaConfigurationException>(() => _harness.CreateClient(WithKey(key)))!;

        Assert.That(error.Message, Does.Contain("seed_key").And.Contain("32 random bytes"));
    }

    [Test]
    public void A_sealed_secret_opens_only_for_its_own_user()
    {
        var protector = SeedProtector.FromConfiguration(Configuration(WithKey(Key)))!;
        var sealedValue = protector.Seal("alice", "JBSWY3DPEHPK3PXP");

        Assert.That(protector.Open("alice", sealedValue), Is.EqualTo("JBSWY3DPEHPK3PXP"));
        Assert.That(() => protector.Open("mallory", sealedValue), Throws.InstanceOf<CryptographicException>());
        Assert.That(sealedValue, Does.Not.Contain("JBSWY3DP"));
    }

    private PluginConfiguration Configuration(string ini)
    {
        var file = Path.Combine(_harness.DataDirectory, "..", "key-test.ini");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, ini, Encoding.UTF8);
        return new PluginConfiguration(new ConfigurationBuilder().AddIniFile(file).Build(), file, Moq.Mock.Of<ICredentialStore>());
    }

    private static MfaRequest Request(string user, string code) =>
        new() { Username = user, MfaIdentity = user, MfaPassword = code, Session = new MfaSession("s-" + Guid.NewGuid().ToString("N")) };
}
