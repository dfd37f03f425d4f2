using MfaHost.PluginSdk;
using MfaHost.PluginSdk.Testing;

namespace MfaHost.Kit.Tests;

/// <summary>The test kit runs a plugin behind the host's own pipeline steps, with in-memory stores and a fake clock.</summary>
public class PluginTestHostTests
{
    private const string Code = "probe-code-31337";
    private const string Ini = "[plugin]\ntype = probe\n\n[probe]\ncode = $\n";

    private static PluginTestHost Create(string extra = "") =>
        PluginTestHost.Create<ProbePlugin>(Ini + extra, new PluginTestOptions { Secrets = { ["probe.code"] = Code } });

    private static ProbePlugin Probe(PluginTestHost host) => (ProbePlugin)host.Plugin;

    [Test]
    public async Task The_secret_comes_from_the_in_memory_credential_store_and_the_verdicts_from_the_plugin()
    {
        await using var host = Create();

        var accepted = await host.AuthenticateAsync(new TestAuthentication { Username = "alice", MfaPassword = Code });
        var denied = await host.AuthenticateAsync(new TestAuthentication { Username = "alice", MfaPassword = "nope-1234" });

        Assert.That((accepted.Kind, denied.Kind, denied.Reason), Is.EqualTo((MfaVerdictKind.Accept, MfaVerdictKind.Deny, MfaReasons.AuthenticationFailed)));
        Assert.That(host.LogText, Does.Not.Contain(Code).And.Not.Contain("nope-1234"));
        Assert.That(host.LogText, Does.Contain("alice"), "the pipeline's decisions are captured");
    }

    [Test]
    public async Task The_whitelist_accepts_without_calling_the_plugin()
    {
        await using var host = Create("\n[whitelist]\nusers = breakglass\n");

        var verdict = await host.AuthenticateAsync(new TestAuthentication { Username = "breakglass" });

        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Accept, MfaReasons.Whitelisted)));
        Assert.That(Probe(host).Calls, Is.Empty);
    }

    [Test]
    public async Task The_mapping_decides_the_identity_the_plugin_sees()
    {
        await using var host = Create("\n[username_transform]\nappend_domain = example.com\n");

        await host.AuthenticateAsync(new TestAuthentication { Username = "alice", MfaPassword = Code });

        Assert.That(Probe(host).Calls.Single().MfaIdentity, Is.EqualTo("alice@example.com"));
    }

    [Test]
    public async Task On_an_interactive_protocol_the_host_asks_for_the_code_then_the_questions()
    {
        await using var host = Create("\n[auth]\ninteractive_protocols = ssh\n\n[question_1]\nprompt = Ticket number:\nkey = ticket\ndisable_echo = no\n");
        var login = new TestAuthentication { Username = "alice", Protocol = "ssh", SessionId = "s1" };

        var otpQuestion = await host.AuthenticateAsync(login);
        var ticketQuestion = await host.AuthenticateAsync(login with { Answer = Code });
        var accepted = await host.AuthenticateAsync(login with { Answer = "CHG-42" });

        Assert.Multiple(() =>
        {
            Assert.That((otpQuestion.Kind, otpQuestion.Key), Is.EqualTo((MfaVerdictKind.NeedInfo, "otp")));
            Assert.That((ticketQuestion.Kind, ticketQuestion.Key, ticketQuestion.Question), Is.EqualTo((MfaVerdictKind.NeedInfo, "ticket", "Ticket number:")));
            Assert.That(accepted.Kind, Is.EqualTo(MfaVerdictKind.Accept));
            Assert.That(accepted.Metadata["ticket"], Is.EqualTo("CHG-42"));
        });
    }

    [Test]
    public async Task The_plugin_sees_the_fake_clock_and_the_in_memory_state()
    {
        await using var host = Create();

        var first = await host.AuthenticateAsync(new TestAuthentication { Username = "alice", MfaPassword = Code });
        host.Time.Advance(TimeSpan.FromHours(1));
        var second = await host.AuthenticateAsync(new TestAuthentication { Username = "alice", MfaPassword = Code, SessionId = "s2" });

        Assert.Multiple(() =>
        {
            Assert.That(first.Metadata["now"], Is.EqualTo("2030-01-01T12:00:00.0000000+00:00"));
            Assert.That(second.Metadata["now"], Is.EqualTo("2030-01-01T13:00:00.0000000+00:00"));
            Assert.That(second.Metadata["logins"], Is.EqualTo("2"));
        });
        Assert.That(await host.State.GetAsync("logins.alice", CancellationToken.None), Is.EqualTo("2"));
    }

    [Test]
    public void A_wrong_pipeline_option_is_the_hosts_configuration_error_with_file_and_line()
    {
        var error = Assert.Throws<MfaConfigurationException>(() => Create("\n[whitelist]\nallow = everybody\n"));

        Assert.That(error!.Message, Does.Contain(".ini:8").And.Contain("[whitelist] allow").And.Contain("no_user, all_users"));
    }

    [Test]
    public void A_misspelt_option_is_the_hosts_strict_check_error_with_the_suggestion()
    {
        var error = Assert.Throws<MfaConfigurationException>(() => Create("\n[whitelist]\nuser = breakglass\n"));

        Assert.That(error!.Message, Does.Contain(".ini:8").And.Contain("unknown option").And.Contain("did you mean 'users'?"));
    }

    [Test]
    public void A_missing_secret_is_a_configuration_error_naming_the_option()
    {
        var error = Assert.Throws<MfaConfigurationException>(() => PluginTestHost.Create<ProbePlugin>(Ini));

        Assert.That(error!.Message, Does.Contain("[probe] code").And.Contain("probe.code"));
    }

    [Test]
    public void An_instance_file_of_another_type_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PluginTestHost.Create<ProbePlugin>("[plugin]\ntype = acme\n"));

        Assert.That(error!.Message, Does.Contain("'acme'").And.Contain("'probe'"));
    }
}
