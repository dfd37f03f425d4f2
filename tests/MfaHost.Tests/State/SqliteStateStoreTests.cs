using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.State;
using MfaHost.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Tests.State;

public class SqliteStateStoreTests
{
    private TempDirectory _dir = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void Creates_the_data_folder_and_state_db_in_wal_mode()
    {
        using var store = SqliteStateStore.InDirectory(_dir.Combine("deep", "data"), _time);

        Assert.That(File.Exists(_dir.Combine("deep", "data", "state.db")), Is.True);
        Assert.That(Scalar(store.Path, "PRAGMA journal_mode"), Is.EqualTo("wal"));
    }

    [Test]
    public async Task State_survives_reopening_the_file()
    {
        using (var first = SqliteStateStore.InDirectory(_dir.Path, _time))
        {
            await first.SetAsync("k", "v", null, default);
        }

        using var second = SqliteStateStore.InDirectory(_dir.Path, _time);
        Assert.That(await second.GetAsync("k", default), Is.EqualTo("v"));
    }

    [Test]
    public async Task Two_stores_on_one_file_see_each_others_writes()
    {
        using var host = SqliteStateStore.InDirectory(_dir.Path, _time);
        using var cli = SqliteStateStore.InDirectory(_dir.Path, _time);

        await cli.SetAsync("enrolled", "alice", null, default);
        Assert.That(await host.GetAsync("enrolled", default), Is.EqualTo("alice"));
        Assert.That(await host.TryAddAsync("step", "1", null, default), Is.True);
        Assert.That(await cli.TryAddAsync("step", "1", null, default), Is.False);
        Assert.That(await cli.RemoveAsync("enrolled", default), Is.True);
        Assert.That(await host.GetAsync("enrolled", default), Is.Null);
    }

    [Test]
    public async Task Two_stores_on_one_file_racing_TryAdd_produce_exactly_one_winner()
    {
        using var a = SqliteStateStore.InDirectory(_dir.Path, _time);
        using var b = SqliteStateStore.InDirectory(_dir.Path, _time);

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? a : b).TryAddAsync("race", "x", null, default))));
        var counts = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? a : b).IncrementAsync("n", _time.GetUtcNow().AddHours(1), default))));

        Assert.That(results.Count(r => r), Is.EqualTo(1));
        Assert.That(counts.Max(), Is.EqualTo(100));
    }

    [Test]
    public async Task Expired_rows_are_purged_from_the_file_after_the_purge_interval()
    {
        using var store = SqliteStateStore.InDirectory(_dir.Path, _time);
        await store.SetAsync("old", "1", _time.GetUtcNow().AddSeconds(1), default);
        await store.SetAsync("keep", "1", null, default);

        _time.Advance(SqliteStateStore.PurgeInterval);
        await store.SetAsync("new", "1", null, default);

        Assert.That(Scalar(store.Path, "SELECT count(*) FROM state"), Is.EqualTo(2L));
    }

    [Test]
    public async Task The_host_composition_uses_the_sqlite_store_in_the_data_directory()
    {
        var settings = new HostSettings
        {
            ConfigFile = _dir.Combine("mfahost.ini"),
            ConfigDirectory = _dir.Path,
            SocketPath = _dir.Combine("s.sock"),
            PluginsDirectory = _dir.Combine("plugins"),
            PluginConfigDirectory = _dir.Combine("conf"),
            DataDirectory = _dir.Combine("data"),
        };

        await using var guarded = (GuardedStateStore)HostComposition.CreateStateStore(settings, _time);

        Assert.That(((SqliteStateStore)guarded.Inner).Path, Is.EqualTo(_dir.Combine("data", "state.db")));
    }

    private static object? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Test]
    public async Task A_full_disk_fails_the_writes_with_its_own_error_and_keeps_no_write_whose_caller_was_told_it_failed()
    {
        var path = _dir.Combine("state.db");
        long pages;
        using (var sizing = new SqliteStateStore(path, _time))
        {
            pages = Convert.ToInt64(Scalar(path, "PRAGMA page_count"), System.Globalization.CultureInfo.InvariantCulture);
        }

        using var store = new SqliteStateStore(path, _time, maxPageCount: pages + 3);
        var value = new string('x', 3000);
        var writes = Enumerable.Range(0, 40).Select(i => (Key: $"k{i}", Task: store.SetAsync($"k{i}", value, null, default).AsTask())).ToList();
        try
        {
            await Task.WhenAll(writes.Select(w => w.Task));
        }
        catch (SqliteException)
        {
        }

        var failed = writes.Where(w => w.Task.IsFaulted).ToList();
        Assert.That(failed, Is.Not.Empty, "the disk never filled up");
        foreach (var write in failed)
        {
            var error = write.Task.Exception!.InnerException as SqliteException;
            Assert.That(error?.SqliteErrorCode, Is.EqualTo(13), $"{write.Key}: {write.Task.Exception!.InnerException?.Message}");
            Assert.That(await store.GetAsync(write.Key, default), Is.Null, $"{write.Key} was stored although its caller was told it failed");
        }

        foreach (var write in writes.Where(w => w.Task.IsCompletedSuccessfully))
        {
            Assert.That(await store.GetAsync(write.Key, default), Is.EqualTo(value), $"{write.Key} was acknowledged but is not stored");
        }

        try
        {
            await store.SetAsync("after", value, null, default);
        }
        catch (SqliteException e)
        {
            Assert.That(e.SqliteErrorCode, Is.EqualTo(13), "the writer keeps answering after a full disk, with the same error");
        }
    }
}
