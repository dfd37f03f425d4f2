using BenchmarkDotNet.Attributes;
using MfaHost.State;

namespace MfaHost.Benchmarks;

/// <summary>The SQLite state store's operations on the TOTP hot path (one file in /tmp, WAL, synchronous=NORMAL).</summary>
[MemoryDiagnoser]
public class StateStoreBenchmarks
{
    private readonly string _directory = Path.Combine("/tmp", "mfa-bench-" + Guid.NewGuid().ToString("N")[..8]);
    private SqliteStateStore _store = null!;
    private long _n;

    [GlobalSetup]
    public void Setup()
    {
        _store = SqliteStateStore.InDirectory(_directory, TimeProvider.System);
        _store.SetAsync("enrollment/alice", new string('x', 300), null, default).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "Get (read pool)")]
    public ValueTask<string?> Get() => _store.GetAsync("enrollment/alice", default);

    [Benchmark(Description = "TryAdd of a new key (replay claim)")]
    public ValueTask<bool> TryAdd() => _store.TryAddAsync("used/alice/" + _n++, "1", DateTimeOffset.UtcNow.AddSeconds(90), default);

    [Benchmark(Description = "Increment (failure counter)")]
    public ValueTask<long> Increment() => _store.IncrementAsync("failures/alice", DateTimeOffset.UtcNow.AddSeconds(300), default);
}
