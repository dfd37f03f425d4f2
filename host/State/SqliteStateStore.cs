using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using MfaHost.PluginSdk;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace MfaHost.State;

/// <summary>
/// The host's state store in one SQLite file (<c>&lt;data_dir&gt;/state.db</c>): WAL mode, so readers never wait for the
/// writer, and a busy timeout, so the CLI and the running host may write the same file at once. Every operation is one
/// SQL statement, hence atomic across threads and processes. Expired rows are invisible at once and deleted now and
/// then (lazy purge on writes, at most once per <see cref="PurgeInterval"/> and at most <see cref="PurgeBatch"/> rows at a
/// time, so a purge never holds the writer for long even when replay claims expire by the hundred thousand).
/// </summary>
/// <remarks>
/// Writes of this process go through one connection and one writer loop: SQLite allows one writer per file anyway, and
/// contention between connections of one process would end in Microsoft.Data.Sqlite's 150 ms busy retry loop. The loop
/// commits the writes waiting at that moment in one transaction (group commit): each statement is still atomic and runs
/// in arrival order, and its caller hears the result only after the commit, but a commit (a WAL append) is paid once
/// per batch instead of once per write.
/// Reads use a small pool of connections. The SQL statements are in <see cref="SqliteStateConnection"/>. <c>synchronous=NORMAL</c>: in WAL mode a crash of the process loses
/// nothing; a power loss may lose the last transactions.
/// </remarks>
internal sealed class SqliteStateStore : IStateStore, IAsyncDisposable, IDisposable
{
    public const string FileName = "state.db";

    public const int PurgeBatch = 20_000;

    public static readonly TimeSpan PurgeInterval = TimeSpan.FromSeconds(1);

    private const int BusyTimeoutMilliseconds = 10_000;

    private readonly string _connectionString;
    private readonly TimeProvider _timeProvider;
    private const int MaxBatch = 512;

    private readonly Channel<SqliteWriteOperation> _writes = Channel.CreateUnbounded<SqliteWriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writerLoop;
    private readonly SqliteStateConnection _writer;
    private readonly ConcurrentBag<SqliteStateConnection> _readers = [];
    private long _lastPurgeMs;
    private bool _disposed;

    public SqliteStateStore(string path, TimeProvider timeProvider)
        : this(path, timeProvider, maxPageCount: null)
    {
    }

    /// <summary>With <paramref name="maxPageCount"/>, SQLite answers "database or disk is full" past that size: how tests fill the disk.</summary>
    internal SqliteStateStore(string path, TimeProvider timeProvider, long? maxPageCount)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        _timeProvider = timeProvider;
        StateFilePermissions.Secure(Path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
        _writer = Open();
        _writer.Execute("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS state (
                key TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL,
                expires INTEGER
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS state_expires ON state (expires) WHERE expires IS NOT NULL;
            """);
        if (maxPageCount is { } pages)
        {
            _writer.Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA max_page_count = {pages}"));
        }

        Purge(Now());
        _writerLoop = Task.Run(WriterLoopAsync);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The store of a host: <c>state.db</c> in <paramref name="dataDirectory"/> (created when absent).</summary>
    public static SqliteStateStore InDirectory(string dataDirectory, TimeProvider timeProvider) =>
        new(System.IO.Path.Combine(dataDirectory, FileName), timeProvider);

    public ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Read(c => c.Get(key, Now())));

    public async ValueTask SetAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        await WriteAsync(c => c.Set(key, value, ToMs(expiresAt)), cancellationToken);

    public ValueTask<bool> TryAddAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        WriteAsync(c => c.TryAdd(key, value, ToMs(expiresAt), Now()), cancellationToken);

    public ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) =>
        WriteAsync(c => c.Remove(key, Now()), cancellationToken);

    public ValueTask<long> IncrementAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        WriteAsync(c => c.Increment(key, expiresAt.ToUnixTimeMilliseconds(), Now()), cancellationToken);

    public ValueTask<(bool Exists, DateTimeOffset? ExpiresAt)> TryGetExpiryAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Read(c => c.TryGetExpiry(key, Now())));

    public async IAsyncEnumerable<KeyValuePair<string, string>> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        foreach (var entry in Read(c => c.List(prefix, Now())))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writes.Writer.TryComplete();
        _writerLoop.GetAwaiter().GetResult();
        _writer.Dispose();
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private static long? ToMs(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    private long Now() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private SqliteStateConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        var store = new SqliteStateConnection(connection);
        // secure_delete = FAST: a replaced or deleted value (a TOTP secret in clear before it was sealed) is zeroed on its
        // page, which is written anyway, so it does not linger in the file; FAST skips zeroing whole free pages (extra I/O).
        store.Execute($"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = FAST;");
        return store;
    }

    private T Read<T>(Func<SqliteStateConnection, T> read)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = _readers.TryTake(out var pooled) ? pooled : Open();
        try
        {
            return read(connection);
        }
        finally
        {
            if (_disposed || _readers.Count >= Environment.ProcessorCount * 4)
            {
                connection.Dispose();
            }
            else
            {
                _readers.Add(connection);
            }
        }
    }

    private ValueTask<T> WriteAsync<T>(Func<SqliteStateConnection, T> write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var operation = new SqliteWriteOperation<T>(write);
        ObjectDisposedException.ThrowIf(!_writes.Writer.TryWrite(operation), this);

        return new ValueTask<T>(operation.Task);
    }

    private async Task WriterLoopAsync()
    {
        var batch = new List<SqliteWriteOperation>(MaxBatch);
        while (await _writes.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var operation))
            {
                batch.Add(operation);
            }

            try
            {
                _writer.Execute("BEGIN IMMEDIATE");
                try
                {
                    var now = Now();
                    if (now - _lastPurgeMs >= (long)PurgeInterval.TotalMilliseconds)
                    {
                        Purge(now);
                    }

                    foreach (var operation in batch)
                    {
                        operation.Run(_writer);
                    }

                    _writer.Execute("COMMIT");
                }
                catch
                {
                    // SQLite ends the transaction itself on some errors (a full disk, an I/O error); a ROLLBACK then fails
                    // with "no transaction is active" and must not hide the error that says what went wrong.
                    _writer.TryRollback();
                    throw;
                }

                foreach (var operation in batch)
                {
                    operation.Complete();
                }
            }
#pragma warning disable CA1031 // Every failure goes to the callers of the batch; the loop must keep serving.
            catch (Exception e)
#pragma warning restore CA1031
            {
                foreach (var operation in batch)
                {
                    operation.Fail(e);
                }
            }
        }
    }

    private void Purge(long now)
    {
        _writer.Purge(now);
        _lastPurgeMs = now;
    }
}
