using MfaHost.State;
using MfaHost.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using MfaHost.Configuration;

namespace MfaHost.Tests.State;

/// <summary>What the PostgreSQL store adds to the contract: migrations, several hosts on one database, sweeping, failing closed.</summary>
public class PostgresStateStoreTests
{
    private readonly List<IAsyncDisposable> _stores = [];
    private FakeTimeProvider _time = null!;
    private PostgresServer _server = null!;
    private string _schema = null!;

    [SetUp]
    public async Task SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        _server = await PostgresServer.Shared;
        _schema = PostgresServer.NewSchema();
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        _stores.Clear();
    }

    [Test]
    public async Task The_first_use_migrates_the_schema_and_a_second_host_finds_it_done()
    {
        var first = Store();
        await first.SetAsync("k", "v", null, default);
        var second = Store();

        Assert.That(await second.MigrateAsync(default), Is.EqualTo((PostgresSchema.LatestVersion, PostgresSchema.LatestVersion)));
        Assert.That(await second.GetAsync("k", default), Is.EqualTo("v"));
        Assert.That(await _server.ScalarAsync($"SELECT count(*) FROM {_schema}.schema_version"), Is.EqualTo((long)PostgresSchema.LatestVersion));
    }

    [Test]
    public async Task Hosts_migrating_an_empty_database_at_the_same_moment_apply_each_migration_once()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => Store()).ToList();

        var results = await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(default))));

        Assert.Multiple(async () =>
        {
            Assert.That(results.Count(r => r.From == 0), Is.EqualTo(1), "exactly one host found the database empty");
            Assert.That(results.All(r => r.To == PostgresSchema.LatestVersion), Is.True);
            Assert.That(await _server.ScalarAsync($"SELECT count(*) FROM {_schema}.schema_version"), Is.EqualTo((long)PostgresSchema.LatestVersion));
        });
    }

    [Test]
    public async Task A_schema_newer_than_this_build_is_refused_and_nothing_is_written()
    {
        await Store().MigrateAsync(default);
        await _server.ScalarAsync($"INSERT INTO {_schema}.schema_version (version, description) VALUES ({PostgresSchema.LatestVersion + 1}, 'from the future')");
        var store = Store();
        var guarded = new GuardedStateStore(store, new StateHealth(), "postgres");

        var refused = Assert.ThrowsAsync<StateSchemaTooNewException>(() => store.MigrateAsync(default));
        var unavailable = Assert.ThrowsAsync<StateUnavailableException>(async () => await guarded.SetAsync("k", "v", null, default));

        Assert.Multiple(async () =>
        {
            Assert.That(refused!.Message, Does.Contain($"version {PostgresSchema.LatestVersion + 1}").And.Contain("newer than this mfahost knows"));
            Assert.That(unavailable!.Message, Does.Contain("newer than this mfahost knows"));
            Assert.That(guarded.Health.Problem, Does.Contain("newer"));
            Assert.That(await _server.ScalarAsync($"SELECT count(*) FROM {_schema}.state"), Is.EqualTo(0L));
        });
    }

    [Test]
    public async Task Of_50_concurrent_claims_of_one_key_through_two_hosts_exactly_one_wins()
    {
        var a = Store();
        var b = Store();
        await a.MigrateAsync(default);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? a : b).TryAddAsync("used/alice/123", "1", _time.GetUtcNow().AddMinutes(1), default))));

        Assert.That(results.Count(r => r), Is.EqualTo(1));
    }

    [Test]
    public async Task Counters_of_two_hosts_add_up()
    {
        var a = Store();
        var b = Store();
        var at = _time.GetUtcNow().AddMinutes(5);

        var counts = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () => await (i % 2 == 0 ? a : b).IncrementAsync("failures/alice", at, default))));

        Assert.That(counts.Order(), Is.EqualTo(Enumerable.Range(1, 40).Select(i => (long)i)));
    }

    [Test]
    public async Task The_sweep_deletes_expired_rows_only()
    {
        var store = Store();
        await store.SetAsync("forever", "1", null, default);
        await store.SetAsync("later", "1", _time.GetUtcNow().AddMinutes(10), default);
        for (var i = 0; i < 30; i++)
        {
            await store.SetAsync($"soon/{i}", "1", _time.GetUtcNow().AddSeconds(5), default);
        }

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.That(await store.SweepAsync(default), Is.EqualTo(30));
        Assert.That(await _server.ScalarAsync($"SELECT string_agg(key, ',' ORDER BY key) FROM {_schema}.state"), Is.EqualTo("forever,later"));
    }

    [Test]
    public async Task A_statement_slower_than_the_command_timeout_fails_closed()
    {
        var store = Store(TimeSpan.FromSeconds(1));
        var guarded = new GuardedStateStore(store, new StateHealth(), "postgres");
        await store.SetAsync("k", "v", null, default);

        // Another session holds the row: the claim waits past its timeout, as with an overloaded or hung database.
        await using var blocker = new NpgsqlConnection(_server.ConnectionString());
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT value FROM {_schema}.state WHERE key = 'k' FOR UPDATE", blocker, transaction))
        {
            await hold.ExecuteScalarAsync();
        }

        var unavailable = Assert.ThrowsAsync<StateUnavailableException>(async () => await guarded.SetAsync("k", "w", null, default));
        await transaction.RollbackAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(unavailable!.Message, Does.StartWith("the postgres state store is unavailable"));
            Assert.That(guarded.Health.Problem, Is.Not.Null);
            Assert.That(await guarded.GetAsync("k", default), Is.EqualTo("v"), "the timed-out write did not happen");
            Assert.That(guarded.Health.Problem, Is.Not.Null, "a read that works does not prove that writes do");
            await guarded.SetAsync("k", "w", null, default);
            Assert.That(guarded.Health.Problem, Is.Null, "the next write that works clears the problem");
        });
    }

    [Test]
    public async Task A_stopped_server_fails_closed_and_the_store_recovers_when_it_returns()
    {
        await using var server = await PostgresServer.StartAsync();
        var store = new PostgresStateStore(Settings(server.ConnectionString(), TimeSpan.FromSeconds(2)), _time);
        _stores.Add(store);
        var guarded = new GuardedStateStore(store, new StateHealth(), "postgres");
        await guarded.SetAsync("k", "v", null, default);

        await server.StopServerAsync();
        var whileDown = Assert.ThrowsAsync<StateUnavailableException>(async () => await guarded.TryAddAsync("claim", "1", null, default));
        var problem = guarded.Health.Problem;
        await server.StartServerAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(whileDown!.InnerException, Is.InstanceOf<NpgsqlException>());
            Assert.That(problem, Does.StartWith("the postgres state store is unavailable"));
            Assert.That(await guarded.GetAsync("k", default), Is.EqualTo("v"), "works again without a new store");
            Assert.That(await guarded.TryAddAsync("claim", "1", null, default), Is.True, "the claim refused while down was never made");
            Assert.That(guarded.Health.Problem, Is.Null);
        });
    }

    private PostgresStateStore Store(TimeSpan? commandTimeout = null)
    {
        var store = new PostgresStateStore(Settings(_server.ConnectionString(), commandTimeout ?? TimeSpan.FromSeconds(30)), _time);
        _stores.Add(store);
        return store;
    }

    private StateSettings Settings(string connectionString, TimeSpan commandTimeout) =>
        new() { Backend = StateBackend.Postgres, ConnectionString = connectionString, Schema = _schema, CommandTimeout = commandTimeout };
}
