using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.Configuration;
using Moq;
using MfaHost.Configuration;

namespace MfaHost.Tests.Tickets;

public class AccessRulesLoaderTests
{
    private static AccessRules Load(string ini)
    {
        using var temp = new TempDirectory();
        var path = temp.Write("mfahost.ini", ini);
        var configuration = new PluginConfiguration(new ConfigurationBuilder().AddIniFile(path).Build(), path, Mock.Of<ICredentialStore>());
        return AccessRulesLoader.Load(configuration.Section("access"));
    }

    [Test]
    public void Lists_of_uids_and_applids_are_read()
    {
        var rules = Load("[access]\ngateway_uids = 1001, 1002\nadmin_uids = 1003\nticket_uids = 1004, 1005\napplids_1004 = cicsprod, IMS1\n");
        Assert.Multiple(() =>
        {
            Assert.That(rules.GatewayUids, Is.EquivalentTo(new uint[] { 1001, 1002 }));
            Assert.That(rules.AdminUids, Is.EquivalentTo(new uint[] { 1003 }));
            Assert.That(rules.TicketUids, Is.EquivalentTo(new uint[] { 1004, 1005 }));
            Assert.That(rules.TicketApplids[1004], Is.EquivalentTo(new[] { "CICSPROD", "IMS1" }));
            Assert.That(rules.TicketApplids.ContainsKey(1005), Is.False);
        });
    }

    [TestCase("[access]\ngateway_uids = alice\n", "[access] gateway_uids: 'alice' is not a numeric uid")]
    [TestCase("[access]\nticket_uids = 1\napplids_2 = X\n", "uid 2 has an APPLID list but is not in ticket_uids")]
    [TestCase("[access]\nticket_uids = 1\napplids_1 = WAY-TOO-LONG\n", "'WAY-TOO-LONG' is not an APPLID")]
    public void Bad_lines_are_errors_naming_the_option(string ini, string expected) =>
        Assert.That(() => Load(ini), Throws.TypeOf<MfaConfigurationException>().With.Message.Contains(expected));

    // Unknown options of [access] are refused with the rest of the host file's (HostFileOptions).
    [TestCase("[access]\ngateway_uid = 1\n", "[access] gateway_uid: unknown option; did you mean 'gateway_uids'?")]
    [TestCase("[access]\napplid_1 = X\n", "[access] applid_1: unknown option; did you mean 'applids_<uid>'?")]
    public void Unknown_options_are_errors_of_the_host_file(string ini, string expected)
    {
        using var temp = new TempDirectory();
        var errors = new List<MfaConfigurationException>();
        HostSettingsLoader.Load(temp.Write("mfahost.ini", ini), errors);
        Assert.That(errors.Select(e => e.Message), Has.Some.Contains(expected));
    }
}
