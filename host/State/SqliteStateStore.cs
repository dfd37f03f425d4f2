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
/// Reads use a small pool of connections. <c>synchronous=NORMAL</c>: in WAL mode a crash of the process loses
/// nothing; a power loss may lose the last transactions.
/// </remarks>
internal sealed class SqliteStateStore : IStateStore, IAsyncDisposable, IDisposable
{
    public const string FileName = "state.db";

    public const int PurgeBatch = 20_000;

    public static readonly TimeSpan PurgeInterval = TimeSpan.FromSeconds(1);

    private const int BusyTimeoutMilliseconds = 10_000;
    private const string Live = "(expires IS NULL OR expires > $now)";

    private readonly string _connectionString;
    private readonly TimeProvider _timeProvider;
    private const int MaxBatch = 512;

    private readonly Channel<WriteOperation> _writes = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writerLoop;
    private readonly StoreConnection _writer;
    private readonly ConcurrentBag<StoreConnection> _readers = [];
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

    private StoreConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        var store = new StoreConnection(connection);
        // secure_delete = FAST: a replaced or deleted value (a TOTP secret in clear before it was sealed) is zeroed on its
        // page, which is written anyway, so it does not linger in the file; FAST skips zeroing whole free pages (extra I/O).
        store.Execute($"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = FAST;");
        return store;
    }

    private T Read<T>(Func<StoreConnection, T> read)
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

    private ValueTask<T> WriteAsync<T>(Func<StoreConnection, T> write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var operation = new WriteOperation<T>(write);
        ObjectDisposedException.ThrowIf(!_writes.Writer.TryWrite(operation), this);

        return new ValueTask<T>(operation.Task);
    }

    private async Task WriterLoopAsync()
    {
        var batch = new List<WriteOperation>(MaxBatch);
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

    /// <summary>A write waiting for the writer loop; its result is released only after its transaction commits.</summary>
    private abstract class WriteOperation
    {
        public abstract void Run(StoreConnection connection);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteOperation<T>(Func<StoreConnection, T> write) : WriteOperation
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;
        private Exception? _error;

        public Task<T> Task => _completion.Task;

        // A failing statement fails its own caller only and the rest of the batch commits, unless SQLite ended the
        // transaction because of it (a full disk): then the whole batch fails with that error.
        public override void Run(StoreConnection connection)
        {
            try
            {
                _result = write(connection);
            }
            catch (SqliteException e) when (e.SqliteErrorCode is not (5 or 6) && connection.InTransaction)
            {
                _error = e;
            }
        }

        public override void Complete()
        {
            if (_error is null)
            {
                _completion.TrySetResult(_result);
            }
            else
            {
                _completion.TrySetException(_error);
            }
        }

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }

    /// <summary>One connection with its prepared statements; used by one caller at a time.</summary>
    private sealed class StoreConnection(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        /// <summary>False once SQLite has rolled the batch's transaction back by itself (SQLITE_FULL, SQLITE_IOERR, ...).</summary>
        public bool InTransaction => SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0;

        public void TryRollback()
        {
            if (!InTransaction)
            {
                return;
            }

            try
            {
                Execute("ROLLBACK");
            }
            catch (SqliteException)
            {
                // The error that made us roll back is the one to report.
            }
        }

        public void Execute(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        public string? Get(string key, long now) =>
            Command($"SELECT value FROM state WHERE key = $key AND {Live}", ("$key", key), ("$now", now)).ExecuteScalar() as string;

        public int Set(string key, string value, long? expires) =>
            Command(
                "INSERT INTO state (key, value, expires) VALUES ($key, $value, $expires) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
                ("$key", key), ("$value", value), ("$expires", expires)).ExecuteNonQuery();

        // An expired row counts as absent: the upsert replaces it, and reports one change; a live one it leaves alone (no change).
        public bool TryAdd(string key, string value, long? expires, long now) =>
            Command(
                "INSERT INTO state (key, value, expires) VALUES ($key, $value, $expires) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires WHERE state.expires IS NOT NULL AND state.expires <= $now",
                ("$key", key), ("$value", value), ("$expires", expires), ("$now", now)).ExecuteNonQuery() == 1;

        public bool Remove(string key, long now) =>
            Command($"DELETE FROM state WHERE key = $key AND {Live}", ("$key", key), ("$now", now)).ExecuteNonQuery() == 1;

        public long Increment(string key, long expires, long now)
        {
            var result = Command(
                """
                INSERT INTO state (key, value, expires) VALUES ($key, '1', $expires)
                ON CONFLICT (key) DO UPDATE SET
                    value = CASE WHEN state.expires IS NOT NULL AND state.expires <= $now THEN '1' ELSE CAST(CAST(state.value AS INTEGER) + 1 AS TEXT) END,
                    expires = CASE WHEN state.expires IS NOT NULL AND state.expires <= $now THEN excluded.expires ELSE state.expires END
                RETURNING value
                """,
                ("$key", key), ("$expires", expires), ("$now", now)).ExecuteScalar();
            return long.Parse((string)result!, CultureInfo.InvariantCulture);
        }

        public (bool Exists, DateTimeOffset? ExpiresAt) TryGetExpiry(string key, long now)
        {
            using var reader = Command($"SELECT expires FROM state WHERE key = $key AND {Live}", ("$key", key), ("$now", now)).ExecuteReader();
            if (!reader.Read())
            {
                return (false, null);
            }

            return (true, reader.IsDBNull(0) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)));
        }

        public List<KeyValuePair<string, string>> List(string prefix, long now)
        {
            var entries = new List<KeyValuePair<string, string>>();
            using var reader = Command(
                $"SELECT key, value FROM state WHERE substr(key, 1, length($prefix)) = $prefix AND {Live} ORDER BY key",
                ("$prefix", prefix), ("$now", now)).ExecuteReader();
            while (reader.Read())
            {
                entries.Add(new(reader.GetString(0), reader.GetString(1)));
            }

            return entries;
        }

        public void Purge(long now) =>
            Command(
                $"DELETE FROM state WHERE key IN (SELECT key FROM state WHERE expires IS NOT NULL AND expires <= $now LIMIT {PurgeBatch})",
                ("$now", now)).ExecuteNonQuery();

        public void Dispose()
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }

            connection.Dispose();
        }

        private SqliteCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
        {
            if (!_commands.TryGetValue(sql, out var command))
            {
                command = connection.CreateCommand();
#pragma warning disable CA2100 // The SQL is one of this class's constants; values go in parameters.
                command.CommandText = sql;
#pragma warning restore CA2100
                foreach (var (name, _) in parameters)
                {
                    command.Parameters.Add(new SqliteParameter { ParameterName = name });
                }

                command.Prepare();
                _commands[sql] = command;
            }

            foreach (var (name, value) in parameters)
            {
                command.Parameters[name].Value = value ?? DBNull.Value;
            }

            return command;
        }
    }
}
