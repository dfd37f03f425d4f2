using MfaHost.Configuration;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Moq;
using static MfaHost.Tests.Pipeline.PipelineHarness;

namespace MfaHost.Tests.Pipeline;

public class PipelineSettingsTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public void Without_pipeline_sections_the_defaults_apply()
    {
        var settings = Read(string.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(settings.Whitelist.IsWhitelisted("alice"), Is.False);
            Assert.That(settings.Cache.Enabled, Is.False);
            Assert.That(settings.Cache.SoftTimeout, Is.EqualTo(TimeSpan.FromSeconds(15)));
            Assert.That(settings.Cache.HardTimeout, Is.EqualTo(TimeSpan.FromSeconds(90)));
            Assert.That(settings.UserMapping.Map("alice"), Is.EqualTo("alice"));
            Assert.That(settings.InteractiveProtocols, Is.EquivalentTo(new[] { "rdp", "ssh", "telnet" }));
            Assert.That(settings.Prompt, Is.EqualTo("Press Enter for push notification or type one-time password:"));
            Assert.That(settings.DisableEcho, Is.False);
            Assert.That(settings.Questions, Is.Empty);
            Assert.That(settings.ConnectionLimit, Is.Zero);
        });
    }

    [Test]
    public void Interactive_protocols_none_asks_on_no_protocol()
    {
        var settings = Read("[auth]\ninteractive_protocols = none\n");
        Assert.That(settings.IsInteractive("ssh"), Is.False);
    }

    [TestCase("[whitelist]\nallow = some_users\n", "[whitelist] allow", "'some_users'")]
    [TestCase("[authentication_cache]\nreuse_limit = many\n", "[authentication_cache] reuse_limit", "'many'")]
    [TestCase("[authentication_cache]\nsoft_timeout = -1\n", "[authentication_cache] soft_timeout", "'-1'")]
    [TestCase("[auth]\ndisable_echo = maybe\n", "[auth] disable_echo", "'maybe'")]
    [TestCase("[connection_limit]\nlimit = -3\n", "[connection_limit] limit", "'-3'")]
    [TestCase("[question_1]\nprompt = Ticket:\n", "[question_1] key", "required")]
    [TestCase("[question_1]\nprompt = a\nkey = k\n\n[question_3]\nprompt = b\nkey = l\n", "[question_3]", "[question_2] is missing")]
    [TestCase("[question_1]\nprompt = a\nkey = k\n\n[question_2]\nprompt = b\nkey = k\n", "[question_2] key", "'k'")]
    [TestCase("[question_x]\nprompt = a\n", "[question_x]", "not a question section")]
    [TestCase("[usermapping]\nalice =\n", "[usermapping] alice", "empty identity")]
    public void A_bad_value_is_an_error_naming_file_section_option_and_value(string ini, string where, string what)
    {
        var e = Assert.Throws<MfaConfigurationException>(() => Read(ini));
        Assert.That(e!.Message, Does.StartWith(_temp.Combine("test.ini")).And.Contains(where).And.Contains(what));
    }

    [Test]
    public void A_bad_value_names_its_line()
    {
        var e = Assert.Throws<MfaConfigurationException>(() => Read("[plugin]\ntype = x\n\n[whitelist]\nusers = a\nallow = nobody\n"));
        Assert.That(e!.Line, Is.EqualTo(6));
    }

    [Test]
    public async Task An_instance_with_a_bad_pipeline_section_is_a_configuration_error_and_is_not_served()
    {
        await using var h = new PipelineHarness("[whitelist]\nallow = everybody\n");
        var e = Assert.ThrowsAsync<UnknownPluginException>(() => h.AuthenticateAsync(Request(mfaPassword: "1")));
        Assert.Multiple(() =>
        {
            Assert.That(h.SettingsErrors.Single().Message, Does.Contain("[whitelist] allow: 'everybody'"));
            Assert.That(e!.ReasonWord, Is.EqualTo("plugin_unavailable"));
            Assert.That(e.LoadError, Does.Contain("'everybody'"));
        });
    }

    [Test]
    public void Session_idle_timeout_is_read_from_the_host_section()
    {
        var file = _temp.Write("mfahost.ini", "[host]\nsession_idle_timeout = 3600\n");
        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(file, errors);
        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty);
            Assert.That(settings.SessionIdleTimeout, Is.EqualTo(TimeSpan.FromHours(1)));
        });
    }

    private PipelineSettings Read(string ini)
    {
        var file = _temp.Write("test.ini", ini);
        return PipelineSettings.Read(new PluginConfiguration(IniFile.Load(file), file, Mock.Of<ICredentialStore>()));
    }
}
