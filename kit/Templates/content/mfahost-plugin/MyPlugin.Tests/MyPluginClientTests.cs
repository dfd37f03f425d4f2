using MfaHost.PluginSdk;
using MfaHost.PluginSdk.Testing;
using MyPlugin;
using NUnit.Framework;

namespace MyPlugin.Tests;

/// <summary>The plugin behind the host's own pipeline, on the shipped instance file.</summary>
public class MyPluginClientTests
{
    private const string Code = "test-code-4711";

    private static PluginTestHost Create(string extra = "")
    {
        var ini = File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "myplugin.ini")) + extra;
        return PluginTestHost.Create<MyPluginClient>(ini, new PluginTestOptions { Secrets = { ["myplugin.code"] = Code } });
    }

    [Test]
    public async Task A_listed_user_with_the_right_code_is_accepted()
    {
        await using var host = Create();
        var verdict = await host.AuthenticateAsync(new TestAuthentication { Username = "alice", MfaPassword = Code });
        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Accept));
    }

    [Test]
    public async Task A_wrong_code_is_denied_and_never_logged()
    {
        await using var host = Create();
        var verdict = await host.AuthenticateAsync(new TestAuthentication { Username = "alice", MfaPassword = "wrong-9876" });
        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.AuthenticationFailed)));
        Assert.That(host.LogText, Does.Not.Contain("wrong-9876").And.Not.Contain(Code));
    }

    [Test]
    public async Task An_unlisted_user_is_denied()
    {
        await using var host = Create();
        var verdict = await host.AuthenticateAsync(new TestAuthentication { Username = "mallory", MfaPassword = Code });
        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Deny));
    }

    [Test]
    public async Task On_an_interactive_protocol_the_host_asks_for_the_code_first()
    {
        await using var host = Create("\n[auth]\ninteractive_protocols = ssh\n");
        var question = await host.AuthenticateAsync(new TestAuthentication { Username = "bob", Protocol = "ssh", SessionId = "s1" });
        var verdict = await host.AuthenticateAsync(new TestAuthentication { Username = "bob", Protocol = "ssh", SessionId = "s1", Answer = Code });
        Assert.That(question.Kind, Is.EqualTo(MfaVerdictKind.NeedInfo));
        Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Accept));
    }

    [Test]
    public void An_instance_without_users_is_a_configuration_error_naming_the_option()
    {
        var error = Assert.Throws<MfaConfigurationException>(() => PluginTestHost.Create<MyPluginClient>(
            "[plugin]\ntype = myplugin\n[myplugin]\ncode = $\n",
            new PluginTestOptions { Secrets = { ["myplugin.code"] = Code } }));
        Assert.That(error!.Message, Does.Contain("users"));
    }
}
