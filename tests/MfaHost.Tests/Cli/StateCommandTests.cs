using MfaHost.State;
using MfaHost.Testing;
using MfaHost.Tests.Protocol;

namespace MfaHost.Tests.Cli;

/// <summary><c>mfahost state migrate</c> and <c>mfahost state copy --to postgres</c> against the run's private PostgreSQL.</summary>
public class StateCommandTests
{
    private TempDirectory _dir = null!;
    private PostgresServer _server = null!;
    private string _schema = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _server = await PostgresServer.Shared;
        _schema = PostgresServer.NewSchema();
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public async Task Migrate_brings_an_empty_database_to_this_version_and_then_finds_nothing_to_do()
    {
        var config = Config(_server.ConnectionString());

        var first = await CliHarness.RunAsync("state", "migrate", "--config", config);
        var second = await CliHarness.RunAsync("state", "migrate", "--config", config);

        Assert.That(first.ExitCode, Is.Zero, first.Error);
        Assert.That(first.Out, Does.Contain($"schema {_schema}: at version 0").And.Contain($"migrated from version 0 to {PostgresSchema.LatestVersion}"));
        Assert.That(second.Out, Does.Contain($"up to date (version {PostgresSchema.LatestVersion})"));
        Assert.That(await _server.ScalarAsync($"SELECT count(*) FROM {_schema}.schema_version"), Is.EqualTo((long)PostgresSchema.LatestVersion));
    }

    [Test]
    public async Task Migrate_refuses_a_newer_schema_and_a_host_does_not_start_on_it()
    {
        var config = Config(_server.ConnectionString());
        await CliHarness.RunAsync("state", "migrate", "--config", config);
        await _server.ScalarAsync($"INSERT INTO {_schema}.schema_version (version, description) VALUES (999, 'future')");

        var refused = await CliHarness.RunAsync("state", "migrate", "--config", config);
        var start = Assert.ThrowsAsync<MfaHost.Vocabulary.HostStartupException>(() => TestPluginHost.StartAsync(
            new Dictionary<string, string> { ["noop"] = TestPluginHost.Noop },
            $"[state]\nbackend = postgres\nconnection_string = {_server.ConnectionString()}\nschema = {_schema}\n"));

        Assert.That(refused.ExitCode, Is.EqualTo(1));
        Assert.That(refused.Error, Does.Contain("version 999, newer than this mfahost knows"));
        Assert.That(start!.Message, Does.Contain("version 999, newer than this mfahost knows"));
    }

    [Test]
    public async Task An_unreachable_database_is_exit_1_with_the_cause_and_without_the_password()
    {
        const string password = "Unreachable-Pw-5150";
        SuiteLog.RegisterSecret(password, "a PostgreSQL password");
        var config = Config($"Host={_dir.Path};Port=5999;Database=x;Username=mfahost;Password={password};Timeout=2");

        var result = await CliHarness.RunAsync("state", "migrate", "--config", config);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.StartWith("error: PostgreSQL:"));
        Assert.That(result.Out + result.Error, Does.Not.Contain(password));
    }

    [Test]
    public async Task State_commands_need_the_postgres_backend()
    {
        var config = _dir.Write("mfahost.ini", "[host]\ndata_dir = data\n");

        var result = await CliHarness.RunAsync("state", "copy", "--to", "postgres", "--config", config);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.Contain("[state] backend is sqlite"));
    }

    [Test]
    public async Task Copy_moves_the_live_sqlite_entries_with_their_expiry_and_keeps_what_the_database_has()
    {
        var config = Config(_server.ConnectionString());
        var now = DateTimeOffset.UtcNow;
        using (var sqlite = SqliteStateStore.InDirectory(_dir.Combine("data"), TimeProvider.System))
        {
            await sqlite.SetAsync("totp/enrollment/alice", "{\"user\":\"alice\"}", null, default);
            await sqlite.SetAsync("totp/enrollment/bob", "{\"user\":\"bob-from-sqlite\"}", null, default);
            await sqlite.SetAsync("totp/failures/alice", "3", now.AddMinutes(5), default);
            await sqlite.SetAsync("totp/used/alice/1", "1", now.AddMilliseconds(-1), default);
        }

        await CliHarness.RunAsync("state", "migrate", "--config", config);
        await _server.ScalarAsync($"INSERT INTO {_schema}.state (key, value) VALUES ('totp/enrollment/bob', 'bob-enrolled-on-another-host')");

        var result = await CliHarness.RunAsync("state", "copy", "--to", "postgres", "--config", config);

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Out, Does.Contain("copying 3 entries"), "the expired entry is not even listed");
        Assert.That(result.Out, Does.Contain("copied 2, kept 1"));
        Assert.Multiple(async () =>
        {
            Assert.That(await _server.ScalarAsync($"SELECT value FROM {_schema}.state WHERE key = 'totp/enrollment/alice'"), Is.EqualTo("{\"user\":\"alice\"}"));
            Assert.That(await _server.ScalarAsync($"SELECT value FROM {_schema}.state WHERE key = 'totp/enrollment/bob'"), Is.EqualTo("bob-enrolled-on-another-host"));
            Assert.That(await _server.ScalarAsync($"SELECT expires FROM {_schema}.state WHERE key = 'totp/failures/alice'"), Is.EqualTo(now.AddMinutes(5).ToUnixTimeMilliseconds()));
            Assert.That(await _server.ScalarAsync($"SELECT count(*) FROM {_schema}.state WHERE key LIKE 'totp/used/%'"), Is.EqualTo(0L), "expired entries are not copied");
        });

        var overwritten = await CliHarness.RunAsync("state", "copy", "--to", "postgres", "--overwrite", "--config", config);
        Assert.That(overwritten.Out, Does.Contain("copied 3, kept 0"));
        Assert.That(await _server.ScalarAsync($"SELECT value FROM {_schema}.state WHERE key = 'totp/enrollment/bob'"), Is.EqualTo("{\"user\":\"bob-from-sqlite\"}"));
    }

    private string Config(string connectionString) =>
        _dir.Write("mfahost.ini", $"[host]\ndata_dir = data\n[state]\nbackend = postgres\nconnection_string = {connectionString}\nschema = {_schema}\n");
}
