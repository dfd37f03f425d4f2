using MfaHost.Plugins.Acme.Tests.Support;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace MfaHost.Plugins.Acme.Tests;

/// <summary>The <c>[acme]</c> section is validated in the constructor; every error names file, line, section, option and value.</summary>
public class AcmeConfigurationTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    private MfaConfigurationException Error(string ini, string token = AcmeInstance.Secret) =>
        Assert.Throws<MfaConfigurationException>(() => AcmeInstance.Create(_temp, ini, TimeProvider.System, NullLogger.Instance, token))!;

    [TestCase("", "server_url", "is required")]
    [TestCase("server_url = not a url\ntoken = $\n", "server_url", "'not a url' is not an http(s) URL")]
    [TestCase("server_url = ftp://acme.example/api\ntoken = $\n", "server_url", "'ftp://acme.example/api' is not an http(s) URL")]
    [TestCase("server_url = http://acme.example/api/v1\ntoken = $\n", "server_url", "allowed for a loopback address only")]
    [TestCase("server_url = https://acme.example/api/v1?x=1\ntoken = $\n", "server_url", "must not have a query")]
    [TestCase("server_url = https://acme.example/api/v1\n", "token", "is required")]
    [TestCase("server_url = https://acme.example/api/v1\ntoken = $\nrequest_timeout = soon\n", "request_timeout", "'soon' is not a number of seconds")]
    [TestCase("server_url = https://acme.example/api/v1\ntoken = $\npush_timeout = 0\n", "push_timeout", "'0' is out of range")]
    [TestCase("server_url = https://acme.example/api/v1\ntoken = $\npoll_interval = -1\n", "poll_interval", "'-1' is out of range")]
    [TestCase("server_url = https://acme.example/api/v1\ntoken = $\nignore_connection_error = maybe\n", "ignore_connection_error", "'maybe' is not a boolean")]
    [TestCase("server_url = https://acme.example/api/v1\ntoken = $\nca_file = missing.pem\n", "ca_file", "does not exist")]
    public void A_bad_option_is_an_error_naming_file_line_section_option_and_value(string body, string option, string problem)
    {
        var e = Error("[plugin]\ntype = acme\n[acme]\n" + body);
        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.StartWith(e.FilePath));
            Assert.That(e.FilePath, Does.EndWith(".ini"));
            Assert.That(e.Message, Does.Contain($"[acme] {option}: "));
            Assert.That(e.Message, Does.Contain(problem));
            Assert.That(e.Line, Is.Not.Null);
        });
    }

    [Test]
    public void A_ca_file_that_holds_no_certificate_is_an_error()
    {
        _temp.Write("plugins/empty.pem", "not a certificate\n");
        var e = Error("[acme]\nserver_url = https://acme.example/api/v1\ntoken = $\nca_file = empty.pem\n");
        Assert.That(e.Message, Does.Contain("[acme] ca_file").And.Contain("empty.pem"));
    }

    [Test]
    public void A_url_with_user_info_is_refused_without_echoing_it()
    {
        var e = Error("[acme]\nserver_url = https://bob:hunter2@acme.example/api/v1\ntoken = $\n");
        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.Contain("[acme] server_url").And.Contain("user name or password"));
            Assert.That(e.Message, Does.Not.Contain("hunter2"));
        });
    }

    [Test]
    public void A_token_from_the_credential_store_that_is_missing_is_an_error_at_construction()
    {
        var path = _temp.Write("plugins/acme.ini", "[acme]\nserver_url = https://acme.example/api/v1\ntoken = $\n");
        var configuration = new PluginConfiguration(
            new ConfigurationBuilder().AddIniFile(path).Build(), path, new DictionaryCredentialStore(new Dictionary<string, string>()));
        var context = new MfaPluginContext
        {
            InstanceName = "acme",
            Configuration = configuration,
            Logger = NullLogger.Instance,
            Credentials = new DictionaryCredentialStore(new Dictionary<string, string>()),
            HttpClientFactory = new PluginHttpClientFactory(configuration),
            State = Moq.Mock.Of<IStateStore>(),
        };
        var e = Assert.Throws<MfaConfigurationException>(() => _ = new AcmeClient(context))!;
        Assert.That(e.Message, Does.Contain("[acme] token").And.Contain("credential store"));
    }

    [Test]
    public void A_token_with_a_line_break_is_refused_without_echoing_it()
    {
        var e = Error("[acme]\nserver_url = https://acme.example/api/v1\ntoken = $\n", token: "abc\r\nX-Injected: 1");
        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.Contain("[acme] token"));
            Assert.That(e.Message, Does.Not.Contain("X-Injected"));
        });
    }

    [TestCase("http://127.0.0.1:8080/api/v1")]
    [TestCase("http://localhost:8080/api/v1")]
    [TestCase("http://[::1]:8080/api/v1")]
    [TestCase("https://acme.example/api/v1")]
    [TestCase("https://acme.example/api/v1/")]
    public void Https_anywhere_and_http_on_loopback_are_accepted(string url)
    {
        var client = AcmeInstance.Create(_temp, $"[acme]\nserver_url = {url}\ntoken = $\n", TimeProvider.System, NullLogger.Instance);
        Assert.Multiple(() =>
        {
            Assert.That(client.BrandName, Is.EqualTo("Acme"));
            Assert.That(client.Capabilities, Is.EqualTo(MfaCapabilities.Push | MfaCapabilities.Otp));
            Assert.That(client.IgnoreConnectionError, Is.False);
        });
    }

    [Test]
    public void Ignore_connection_error_is_read()
    {
        var client = AcmeInstance.Create(_temp, "[acme]\nserver_url = https://acme.example/api/v1\ntoken = $\nignore_connection_error = yes\n", TimeProvider.System, NullLogger.Instance);
        Assert.That(client.IgnoreConnectionError, Is.True);
    }
}
