using MfaHost.Testing;
using Microsoft.Extensions.Configuration;
using Moq;

namespace MfaHost.PluginSdk.Tests.Configuration;

public class IniSectionTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    private PluginConfiguration Load(string ini, ICredentialStore? credentials = null)
    {
        var path = _temp.Write("plugins/acme.ini", ini);
        var configuration = new ConfigurationBuilder().AddIniFile(path).Build();
        return new PluginConfiguration(configuration, path, credentials ?? Mock.Of<ICredentialStore>());
    }

    [TestCase("yes", true)]
    [TestCase("No", false)]
    [TestCase("true", true)]
    [TestCase("off", false)]
    [TestCase("1", true)]
    [TestCase("0", false)]
    public void Booleans_accept_the_documented_words(string word, bool expected) =>
        Assert.That(Load($"[acme]\nflag = {word}\n").Section("acme").GetBool("flag", !expected), Is.EqualTo(expected));

    [Test]
    public void A_bad_boolean_names_file_line_section_option_and_value()
    {
        var config = Load("[plugin]\ntype = acme\n\n[acme]\nignore_connection_error = perhaps\n");
        var e = Assert.Throws<MfaConfigurationException>(() => config.Section("acme").GetBool("ignore_connection_error", false))!;
        Assert.That(e.Message, Does.StartWith(config.FilePath + ":5: [acme] ignore_connection_error:"));
        Assert.That(e.Message, Does.Contain("'perhaps'"));
        Assert.That(e.Line, Is.EqualTo(5));
    }

    [Test]
    public void Absent_options_give_defaults_and_absent_required_ones_are_errors()
    {
        var section = Load("[acme]\nserver_url =\n").Section("acme");
        Assert.Multiple(() =>
        {
            Assert.That(section.GetInt("push_timeout", 60), Is.EqualTo(60));
            Assert.That(section.GetString("missing", "x"), Is.EqualTo("x"));
            Assert.That(section.GetList("missing"), Is.Empty);
            Assert.That(() => section.GetRequiredString("server_url"), Throws.TypeOf<MfaConfigurationException>().With.Message.Contains("required"));
        });
    }

    [Test]
    public void Integers_are_range_checked()
    {
        var section = Load("[acme]\npush_timeout = 0\nport = abc\n").Section("acme");
        Assert.Multiple(() =>
        {
            Assert.That(() => section.GetInt("push_timeout", 60, min: 1), Throws.TypeOf<MfaConfigurationException>().With.Message.Contains("'0' is out of range (at least 1)"));
            Assert.That(() => section.GetInt("port", 1), Throws.TypeOf<MfaConfigurationException>().With.Message.Contains("'abc' is not a whole number"));
        });
    }

    [Test]
    public void Seconds_take_fractions()
    {
        var section = Load("[acme]\npoll_interval = 0.25\n").Section("acme");
        Assert.That(section.GetSeconds("poll_interval", TimeSpan.FromSeconds(1)), Is.EqualTo(TimeSpan.FromMilliseconds(250)));
    }

    [Test]
    public void Inline_comments_and_list_items_are_trimmed()
    {
        var section = Load("[hmc]\nhosts = hmc1.example.com, hmc2.example.com:6795   ; two consoles\n").Section("hmc");
        Assert.That(section.GetList("hosts"), Is.EqualTo(new[] { "hmc1.example.com", "hmc2.example.com:6795" }));
    }

    [Test]
    public void Dollar_reads_the_secret_from_the_credential_store_and_double_dollar_is_literal()
    {
        var store = new Mock<ICredentialStore>();
        string? secret = "s3cret-token";
        store.Setup(s => s.TryGetSecret("acme", "token", out secret)).Returns(true);
        var section = Load("[acme]\ntoken = $          ; from the credential store\nliteral = $$\nplain = abc\n", store.Object).Section("acme");
        Assert.Multiple(() =>
        {
            Assert.That(section.GetSecret("token"), Is.EqualTo("s3cret-token"));
            Assert.That(section.GetSecret("literal"), Is.EqualTo("$"));
            Assert.That(section.GetSecret("plain"), Is.EqualTo("abc"));
        });
    }

    [Test]
    public void A_missing_secret_is_an_error_that_says_where_it_looked()
    {
        var store = new Mock<ICredentialStore>();
        store.Setup(s => s.Describe("acme", "token")).Returns("environment MFAHOST_ACME_TOKEN");
        var section = Load("[acme]\ntoken = $\n", store.Object).Section("acme");
        var e = Assert.Throws<MfaConfigurationException>(() => section.GetSecret("token"))!;
        Assert.That(e.Message, Does.Contain(":2: [acme] token:").And.Contain("MFAHOST_ACME_TOKEN"));
    }
}
