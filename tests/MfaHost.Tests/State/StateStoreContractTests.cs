using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Testing;
using Microsoft.Extensions.Time.Testing;
using MfaHost.Configuration;

namespace MfaHost.Tests.State;

/// <summary>What every <see cref="IStateStore"/> guarantees, run against the SQLite, in-memory and PostgreSQL stores.</summary>
[TestFixture("sqlite")]
[TestFixture("memory")]
[TestFixture("postgres")]
public class StateStoreContractTests(string kind)
{
    private TempDirectory _dir = null!;
    private FakeTimeProvider _time = null!;
    private IStateStore _store = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        _store = kind switch
        {
            "sqlite" => SqliteStateStore.InDirectory(_dir.Combine("data"), _time),
            "postgres" => new PostgresStateStore(
                new StateSettings { Backend = StateBackend.Postgres, ConnectionString = (await PostgresServer.Shared).ConnectionString(), Schema = PostgresServer.NewSchema() },
                _time),
            _ => new InMemoryStateStore(_time),
        };
    }

    [TearDown]
    public async Task TearDown()
    {
        switch (_store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        _dir.Dispose();
    }

    [Test]
    public async Task Set_then_get_returns_the_value_and_a_missing_key_is_null()
    {
        await _store.SetAsync("a", "1", null, default);
        await _store.SetAsync("a", "2", null, default);

        Assert.That(await _store.GetAsync("a", default), Is.EqualTo("2"));
        Assert.That(await _store.GetAsync("b", default), Is.Null);
    }

    [Test]
    public async Task A_value_vanishes_at_its_absolute_expiry()
    {
        var at = _time.GetUtcNow().AddSeconds(30);
        await _store.SetAsync("a", "1", at, default);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.That(await _store.GetAsync("a", default), Is.EqualTo("1"));
        Assert.That(await _store.TryGetExpiryAsync("a", default), Is.EqualTo((true, (DateTimeOffset?)at)));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await _store.GetAsync("a", default), Is.Null);
        Assert.That((await _store.TryGetExpiryAsync("a", default)).Exists, Is.False);
    }

    [Test]
    public async Task TryAdd_succeeds_once_and_again_after_expiry()
    {
        var at = _time.GetUtcNow().AddSeconds(10);

        Assert.That(await _store.TryAddAsync("k", "first", at, default), Is.True);
        Assert.That(await _store.TryAddAsync("k", "second", at, default), Is.False);
        Assert.That(await _store.GetAsync("k", default), Is.EqualTo("first"));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.That(await _store.TryAddAsync("k", "third", null, default), Is.True);
        Assert.That(await _store.GetAsync("k", default), Is.EqualTo("third"));
        Assert.That(await _store.TryGetExpiryAsync("k", default), Is.EqualTo((true, (DateTimeOffset?)null)));
    }

    [Test]
    public async Task Of_100_parallel_TryAdds_of_one_key_exactly_one_wins()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            Task.Run(async () => await _store.TryAddAsync("race", i.ToString(), null, default))));

        Assert.That(results.Count(r => r), Is.EqualTo(1));
    }

    [Test]
    public async Task Remove_is_true_once_and_false_for_an_expired_key()
    {
        await _store.SetAsync("a", "1", null, default);
        await _store.SetAsync("b", "1", _time.GetUtcNow().AddSeconds(1), default);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(await _store.RemoveAsync("a", default), Is.True);
        Assert.That(await _store.RemoveAsync("a", default), Is.False);
        Assert.That(await _store.RemoveAsync("b", default), Is.False);
    }

    [Test]
    public async Task Increment_counts_keeps_the_first_expiry_and_restarts_after_it()
    {
        var first = _time.GetUtcNow().AddSeconds(60);

        Assert.That(await _store.IncrementAsync("n", first, default), Is.EqualTo(1));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(await _store.IncrementAsync("n", _time.GetUtcNow().AddSeconds(60), default), Is.EqualTo(2));
        Assert.That((await _store.TryGetExpiryAsync("n", default)).ExpiresAt, Is.EqualTo(first));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(await _store.IncrementAsync("n", _time.GetUtcNow().AddSeconds(60), default), Is.EqualTo(1));
        Assert.That((await _store.TryGetExpiryAsync("n", default)).ExpiresAt, Is.EqualTo(_time.GetUtcNow().AddSeconds(60)));
    }

    [Test]
    public async Task Parallel_increments_lose_no_count()
    {
        var at = _time.GetUtcNow().AddHours(1);
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () => await _store.IncrementAsync("n", at, default))));

        Assert.That(results.Order(), Is.EqualTo(Enumerable.Range(1, 100).Select(i => (long)i)));
    }

    [Test]
    public async Task List_returns_the_live_keys_with_the_prefix_in_order()
    {
        await _store.SetAsync("u/b", "2", null, default);
        await _store.SetAsync("u/a", "1", null, default);
        await _store.SetAsync("u/c", "3", _time.GetUtcNow().AddSeconds(1), default);
        await _store.SetAsync("v/a", "4", null, default);
        _time.Advance(TimeSpan.FromSeconds(1));

        var listed = new List<KeyValuePair<string, string>>();
        await foreach (var entry in _store.ListAsync("u/", default))
        {
            listed.Add(entry);
        }

        Assert.That(listed, Is.EqualTo(new[] { new KeyValuePair<string, string>("u/a", "1"), new("u/b", "2") }));
    }

    [Test]
    public async Task Keys_and_values_keep_every_character()
    {
        var key = "u/ä'\"%_\\;--/" + new string('x', 300);
        var value = "{\"s\":\"ä 😀 \u0001\"}'; DROP TABLE state; --";
        await _store.SetAsync(key, value, null, default);

        Assert.That(await _store.GetAsync(key, default), Is.EqualTo(value));
        Assert.That(await _store.GetAsync("u/ä'\"_x", default), Is.Null);
        var listed = new List<KeyValuePair<string, string>>();
        await foreach (var entry in _store.ListAsync("u/ä'\"%_", default))
        {
            listed.Add(entry);
        }

        Assert.That(listed, Is.EqualTo(new[] { new KeyValuePair<string, string>(key, value) }), "a prefix with LIKE wildcards matches only itself");
    }
}
