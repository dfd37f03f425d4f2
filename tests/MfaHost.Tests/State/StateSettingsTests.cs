using MfaHost.Configuration;
using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Testing;

namespace MfaHost.Tests.State;

/// <summary><c>[state]</c> of the host file: the backend, and for PostgreSQL a connection string that no message repeats.</summary>
public class StateSettingsTests
{
    private const string Secret = "Host=db.example;Username=mfahost;Password=S3cret-pg-Pw0rd";
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        SuiteLog.RegisterSecret(Secret, "a PostgreSQL connection string");
        SuiteLog.RegisterSecret("S3cret-pg-Pw0rd", "a PostgreSQL password");
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void Without_a_state_section_the_backend_is_sqlite()
    {
        var (settings, errors) = Load("");

        Assert.That(errors, Is.Empty);
        Assert.That(settings.State.Backend, Is.EqualTo(StateBackend.Sqlite));
    }

    [Test]
    public void Postgres_takes_its_connection_string_from_the_credentials_file()
    {
        var credentials = _dir.Write("credentials.ini", $"[state]\nconnection_string = {Secret}\n");
        File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var (settings, errors) = Load($"[host]\ncredentials_file = {credentials}\n[state]\nbackend = postgres\nconnection_string = $\npool_size = 7\ncommand_timeout = 3\nschema = mfa_prod\n");

        Assert.That(errors, Is.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(settings.State.Backend, Is.EqualTo(StateBackend.Postgres));
            Assert.That(settings.State.ConnectionString, Is.EqualTo(Secret));
            Assert.That(settings.State.PoolSize, Is.EqualTo(7));
            Assert.That(settings.State.CommandTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(settings.State.Schema, Is.EqualTo("mfa_prod"));
            Assert.That(settings.State.ToString(), Does.Not.Contain("S3cret"));
            Assert.That(settings.ToString(), Does.Not.Contain("S3cret"), "records print their members: the connection string must not be one of them");
        });
    }

    [TestCase("backend = mysql", "backend", "'mysql' is not a state backend")]
    [TestCase("backend = postgres", "connection_string", "is required with backend = postgres")]
    [TestCase("backend = postgres\nconnection_string = Host=x;Pasword=S3cret-pg-Pw0rd", "connection_string", "is not a valid PostgreSQL connection string")]
    [TestCase("schema = Mfa-Prod", "schema", "is not a plain PostgreSQL name")]
    [TestCase("backend = postgres\nconnection_string = Host=x\npool_size = 0", "pool_size", "")]
    public void A_bad_state_option_is_an_error_with_file_and_line_that_never_shows_the_connection_string(string lines, string option, string problem)
    {
        var (_, errors) = Load($"[logging]\nlog_level = info\n[state]\n{lines}\n");

        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(errors[0].Option, Is.EqualTo(option));
            Assert.That(errors[0].Message, Does.Contain(problem).And.Contain("mfahost.ini").And.Not.Contain("S3cret"));
            Assert.That(errors[0].Line, Is.GreaterThanOrEqualTo(3), "the option's line, or the [state] header for a missing one");
        });
    }

    private (HostSettings Settings, List<MfaConfigurationException> Errors) Load(string ini)
    {
        var path = _dir.Write("mfahost.ini", ini);
        var errors = new List<MfaConfigurationException>();
        return (HostSettingsLoader.Load(path, errors), errors);
    }
}
