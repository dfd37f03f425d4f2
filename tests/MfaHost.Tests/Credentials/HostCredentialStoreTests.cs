using System.Collections;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using MfaHost.Configuration;

namespace MfaHost.Tests.Credentials;

public class HostCredentialStoreTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public void The_instance_specific_environment_variable_wins_over_the_section_one()
    {
        var env = new Hashtable { ["MFAHOST_ACME_EU_ACME_TOKEN"] = "eu-token", ["MFAHOST_ACME_TOKEN"] = "shared-token" };
        Assert.Multiple(() =>
        {
            Assert.That(new HostCredentialStore("acme-eu", null, env).TryGetSecret("acme", "token", out var eu) ? eu : null, Is.EqualTo("eu-token"));
            Assert.That(new HostCredentialStore("acme-us", null, env).TryGetSecret("acme", "token", out var us) ? us : null, Is.EqualTo("shared-token"));
        });
    }

    [Test]
    public void Systemd_credentials_directory_is_read()
    {
        _temp.Write("creds/acme.token", "from-systemd\n");
        var env = new Hashtable { ["CREDENTIALS_DIRECTORY"] = _temp.Combine("creds") };
        var found = new HostCredentialStore("acme", null, env).TryGetSecret("acme", "token", out var secret);
        Assert.That((found, secret), Is.EqualTo((true, "from-systemd")));
    }

    [Test]
    public void The_credentials_file_is_read_when_private()
    {
        var path = _temp.Write("credentials.ini", "[acme-eu.acme]\ntoken = eu-file\n\n[hmc]\npassword = p\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var store = new HostCredentialStore("acme-eu", CredentialsFile.Load(path), new Hashtable());
        Assert.Multiple(() =>
        {
            Assert.That(store.TryGetSecret("acme", "token", out var token) ? token : null, Is.EqualTo("eu-file"));
            Assert.That(store.TryGetSecret("hmc", "password", out var password) ? password : null, Is.EqualTo("p"));
            Assert.That(store.TryGetSecret("hmc", "user", out _), Is.False);
        });
    }

    [Test]
    public void A_credentials_file_readable_by_others_is_refused()
    {
        var path = _temp.Write("credentials.ini", "[acme]\ntoken = t\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var e = Assert.Throws<MfaConfigurationException>(() => CredentialsFile.Load(path))!;
        Assert.That(e.Message, Does.Contain("mode 0644").And.Contain("chmod 600"));
    }

    [Test]
    public void Describe_names_where_it_looked_without_values()
    {
        var env = new Hashtable { ["MFAHOST_ACME_TOKEN"] = "secret-value" };
        var text = new HostCredentialStore("acme", null, env).Describe("acme", "token");
        Assert.That(text, Does.Contain("MFAHOST_ACME_ACME_TOKEN").And.Contain("MFAHOST_ACME_TOKEN").And.Not.Contain("secret-value"));
    }
}
