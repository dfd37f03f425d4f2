using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using MfaHost.State;
using OtpNet;

namespace MfaHost.Plugins.Totp.Tests;

/// <summary>
/// Seeds are sealed also when [totp] seed_key is not set: the instance generates its key in its data folder, refuses
/// to start without it, and <c>rekey</c> rotates it without a moment where a secret cannot be opened.
/// </summary>
public partial class GeneratedSeedKeyTests
{
    private TotpPluginHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new TotpPluginHarness();

    [TearDown]
    public void TearDown() => _harness.Dispose();

    private string KeyFile => Path.Combine(_harness.InstanceDirectory, GeneratedSeedKey.FileName);

    private async Task<string> EnrollAsync(string user)
    {
        var result = await _harness.Client.ExecuteAdminAsync("enroll", new JsonObject { ["user"] = user }, default);
        return SecretInUri().Match(result!["uri"]!.GetValue<string>()).Groups[1].Value;
    }

    private async Task<MfaVerdictKind> LoginAsync(string user, string secret) =>
        (await _harness.OtpAsync(new OtpNet.Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(_harness.Time.GetUtcNow().UtcDateTime), user)).Kind;

    [Test]
    public async Task Without_seed_key_a_key_is_generated_for_the_host_user_only_and_strings_finds_no_seed_in_the_store()
    {
        var secret = await EnrollAsync("alice");
        _harness.CloseStores();

        Assert.That(File.GetUnixFileMode(KeyFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(_harness.InstanceDirectory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        var text = StringsTool.Run(Path.Combine(_harness.DataDirectory, "state.db"));
        Assert.That(text, Does.Contain("v1:"));
        Assert.That(text, Does.Not.Contain(secret[..16]));
        Assert.That(_harness.Logger.Lines, Has.Some.Contains("seed key generated in " + KeyFile));
        Assert.That(_harness.Logger.Lines, Has.Some.Contains("move the key into the credential store"));
    }

    [Test]
    public async Task A_restart_uses_the_same_key_and_a_missing_or_foreign_key_file_refuses_to_start()
    {
        var secret = await EnrollAsync("alice");
        _harness.Restart();
        Assert.That(await LoginAsync("alice", secret), Is.EqualTo(MfaVerdictKind.Accept));
        var key = File.ReadAllText(KeyFile);

        File.Delete(KeyFile);
        var missing = Assert.Throws<MfaConfigurationException>(() => _harness.CreateClient())!;
        Assert.That(File.Exists(KeyFile), Is.False, "no new key over a sealed store");
        File.WriteAllText(KeyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var foreign = Assert.Throws<MfaConfigurationException>(() => _harness.CreateClient())!;

        Assert.That(missing.Message, Does.Contain(KeyFile).And.Contain("is missing").And.Contain("encrypted (key id"));
        Assert.That(foreign.Message, Does.Contain(KeyFile).And.Contain("does not open"));
        Assert.That(missing.Message + foreign.Message, Does.Not.Contain(key.Trim()));
    }

    [Test]
    public async Task A_plain_store_is_sealed_on_the_first_start_with_the_generated_key()
    {
        using var harness = new TotpPluginHarness(start: false);
        var plain = await harness.EnrollAsync("bob");

        harness.CreateClient();
        harness.CloseStores();

        Assert.That(StringsTool.Run(Path.Combine(harness.DataDirectory, "state.db")), Does.Not.Contain(plain.Enrollment.Secret[..16]));
        Assert.That(harness.Logger.Lines, Has.Some.Contains("1 enrollment(s) sealed"));
    }

    [Test]
    public async Task Rekey_seals_everything_under_a_new_generated_key_and_the_old_key_no_longer_opens_the_store()
    {
        var alice = await EnrollAsync("alice");
        var old = File.ReadAllText(KeyFile).Trim();

        var result = await _harness.Client.ExecuteAdminAsync("rekey", [], default);

        Assert.That(result!["rewritten"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(result["key_id"]!.GetValue<string>(), Is.Not.EqualTo(result["previous_key_id"]!.GetValue<string>()));
        Assert.That(File.ReadAllText(KeyFile).Trim(), Is.Not.EqualTo(old));
        Assert.That(File.Exists(KeyFile + ".next"), Is.False);
        Assert.That(await LoginAsync("alice", alice), Is.EqualTo(MfaVerdictKind.Accept), "logins go on with the new key");
        var bob = await EnrollAsync("bob");
        _harness.Restart();
        Assert.That(await LoginAsync("bob", bob), Is.EqualTo(MfaVerdictKind.Accept));
        File.WriteAllText(KeyFile, old);
        Assert.Throws<MfaConfigurationException>(() => _harness.CreateClient());
    }

    [Test]
    public async Task A_rekey_interrupted_half_way_leaves_every_secret_readable_and_the_next_start_finishes_it()
    {
        var alice = await EnrollAsync("alice");
        // As a rekey killed after writing the new key and sealing one enrollment with it: two keys, records under both.
        var current = File.ReadAllText(KeyFile).Trim();
        var next = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(KeyFile + ".next", next);
        var rotating = SeedProtector.FromKeys(next, current)!;
        using var store = SqliteStateStore.InDirectory(_harness.DataDirectory, _harness.Time);
        var bob = await new TotpEnrollmentStore(new NamespacedStateStore(store, TotpPluginHarness.Instance), _harness.Time, rotating).EnrollAsync("bob", new TotpSettings(), false, default);

        _harness.Restart();

        Assert.That(await LoginAsync("alice", alice), Is.EqualTo(MfaVerdictKind.Accept));
        Assert.That(await LoginAsync("bob", bob!.Enrollment.Secret), Is.EqualTo(MfaVerdictKind.Accept));
        Assert.That(File.ReadAllText(KeyFile).Trim(), Is.EqualTo(next));
        Assert.That(File.Exists(KeyFile + ".next"), Is.False);
        Assert.That(_harness.Logger.Lines, Has.Some.Contains("interrupted rekey was finished"));
    }

    [Test]
    public void Rekey_with_a_configured_key_says_how_to_rotate_it()
    {
        using var harness = new TotpPluginHarness($"[totp]\nseed_key = {Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}\n");

        var error = Assert.ThrowsAsync<MfaAdminException>(() => harness.Client.ExecuteAdminAsync("rekey", [], default));

        Assert.That(error!.Message, Does.Contain("seed_key_previous").And.Contain("mfahost reload"));
    }

    [GeneratedRegex("secret=([A-Z2-7]+)&")]
    private static partial Regex SecretInUri();
}
