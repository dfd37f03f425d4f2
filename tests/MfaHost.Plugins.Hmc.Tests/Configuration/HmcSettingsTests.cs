using MfaHost.Plugins.Hmc.Configuration;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.Configuration;
using Moq;

namespace MfaHost.Plugins.Hmc.Tests.Configuration;

public class HmcSettingsTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    private HmcSettings Load(string ini)
    {
        var file = _temp.Write("plugins/hmc.ini", ini);
        return HmcSettings.Load(new PluginConfiguration(new ConfigurationBuilder().AddIniFile(file).Build(), file, Mock.Of<ICredentialStore>()));
    }

    [Test]
    public void Defaults_follow_the_spec()
    {
        var settings = Load("[hmc]\nhosts = hmc1.example.com\n");

        Assert.Multiple(() =>
        {
            Assert.That(settings.Hosts, Is.EqualTo(new[] { new HmcEndpoint("hmc1.example.com", 6794) }));
            Assert.That(settings.CaFile, Is.Null);
            Assert.That(settings.RequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(settings.WarnPasswordDays, Is.EqualTo(7));
            Assert.That(settings.VerifyBroker, Is.False);
            Assert.That(settings.BrokerPort, Is.EqualTo(61612));
        });
    }

    [Test]
    public void Host_entries_may_carry_their_own_port_and_the_others_use_port()
    {
        var settings = Load("[hmc]\nhosts = hmc1.example.com:7000, hmc2.example.com, [fd00::2]:7001, [fd00::3]\nport = 6800\n");

        Assert.That(settings.Hosts, Is.EqualTo(new[]
        {
            new HmcEndpoint("hmc1.example.com", 7000),
            new HmcEndpoint("hmc2.example.com", 6800),
            new HmcEndpoint("fd00::2", 7001),
            new HmcEndpoint("fd00::3", 6800),
        }));
        Assert.That(settings.Hosts[2].BaseAddress.ToString(), Is.EqualTo("https://[fd00::2]:7001/"));
    }

    [Test]
    public void The_ca_file_is_resolved_from_the_instance_files_folder()
    {
        using var ca = new TestCertificateAuthority();
        _temp.Write("plugins/hmc-ca.pem", ca.RootPem);

        var settings = Load("[hmc]\nhosts = h\nca_file = hmc-ca.pem\n");

        Assert.That(settings.CaFile, Is.EqualTo(_temp.Combine("plugins", "hmc-ca.pem")));
    }

    [TestCase("[hmc]\nport = 6794\n", "hosts", "is required")]
    [TestCase("[hmc]\nhosts = h1:99999\n", "hosts", "'h1:99999' has port '99999'")]
    [TestCase("[hmc]\nhosts = h1:abc\n", "hosts", "'h1:abc' has port 'abc'")]
    [TestCase("[hmc]\nhosts = fd00::1\n", "hosts", "IPv6")]
    [TestCase("[hmc]\nhosts = h1\nport = 0\n", "port", "'0' is out of range")]
    [TestCase("[hmc]\nhosts = h1\nwarn_password_days = -2\n", "warn_password_days", "'-2' is out of range")]
    [TestCase("[hmc]\nhosts = h1\nverify_broker = maybe\n", "verify_broker", "'maybe' is not a boolean")]
    [TestCase("[hmc]\nhosts = h1\nrequest_timeout = soon\n", "request_timeout", "'soon' is not a number of seconds")]
    [TestCase("[hmc]\nhosts = h1\nca_file = missing.pem\n", "ca_file", "cannot read CA bundle")]
    public void A_bad_option_is_a_configuration_error_naming_file_section_and_option(string ini, string option, string problem)
    {
        var error = Assert.Throws<MfaConfigurationException>(() => Load(ini));

        Assert.That(error!.Message, Does.Contain("hmc.ini").And.Contain("[hmc]").And.Contain(option).And.Contain(problem));
    }

    [Test]
    public void The_documented_example_file_loads_with_the_spec_defaults()
    {
        var example = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../../config/examples/hmc.ini"));

        var settings = Load(File.ReadAllText(example));

        Assert.Multiple(() =>
        {
            Assert.That(settings.Hosts, Is.EqualTo(new[] { new HmcEndpoint("hmc1.example.com", 6794), new HmcEndpoint("hmc2.example.com", 6794) }));
            Assert.That(settings.CaFile, Is.Null);
            Assert.That(settings.RequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(settings.WarnPasswordDays, Is.EqualTo(7));
            Assert.That(settings.VerifyBroker, Is.False);
            Assert.That(settings.BrokerPort, Is.EqualTo(61612));
        });
    }
}
