using System.Net;
using MfaHost.Configuration;
using MfaHost.PluginSdk;
using MfaHost.Testing;

namespace MfaHost.Tests.Metrics;

[TestFixture]
public sealed class MetricsSettingsTests
{
    [TestCase("listen = 127.0.0.1:9464", "127.0.0.1:9464")]
    [TestCase("listen = [::1]:9464", "[::1]:9464")]
    [TestCase("listen = 127.0.0.5:0", "127.0.0.5:0")]
    [TestCase("listen = 0.0.0.0:9464\nallow_remote = yes", "0.0.0.0:9464")]
    [TestCase("listen = [::]:9464\nallow_remote = yes", "[::]:9464")]
    public void An_address_and_port_is_read(string section, string expected)
    {
        var (settings, errors) = Load(section);

        Assert.That(errors, Is.Empty);
        Assert.That(settings.Metrics.Listen, Is.EqualTo(IPEndPoint.Parse(expected)));
    }

    [Test]
    public void Off_by_default()
    {
        var (settings, errors) = Load(string.Empty);

        Assert.That(errors, Is.Empty);
        Assert.That(settings.Metrics.Listen, Is.Null);
        Assert.That(settings.Metrics.ShowUsers, Is.False);
    }

    [TestCase("0.0.0.0:9464")]
    [TestCase("[::]:9464")]
    [TestCase("192.0.2.1:9464")]
    public void A_non_loopback_address_is_refused_unless_allowed(string listen)
    {
        var (_, errors) = Load($"listen = {listen}");

        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].Message, Does.Contain("mfahost.ini:2").And.Contain("[metrics] listen").And.Contain("allow_remote = yes"));
    }

    [TestCase("127.0.0.1")]
    [TestCase("::1")]
    [TestCase("[::1]")]
    [TestCase("localhost:9464")]
    [TestCase("127.0.0.1:99999")]
    [TestCase("127.0.0.1:-1")]
    [TestCase("::1:9464")]
    [TestCase("127.1:9464")]
    [TestCase("127.0.0.1:9464x")]
    public void A_value_that_is_not_an_ip_address_and_port_is_refused(string listen)
    {
        var (_, errors) = Load($"listen = {listen}");

        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].Message, Does.Contain("mfahost.ini:2").And.Contain("is not an IP address and port"));
    }

    [Test]
    public void A_bad_boolean_names_the_option()
    {
        var (_, errors) = Load("show_users = perhaps");

        Assert.That(errors.Single().Message, Does.Contain("[metrics] show_users"));
    }

    private static (HostSettings Settings, List<MfaConfigurationException> Errors) Load(string metricsSection)
    {
        using var directory = new TempDirectory();
        var path = directory.Write("mfahost.ini", "[metrics]\n" + metricsSection + "\n");
        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(path, errors);
        return (settings, errors);
    }
}
