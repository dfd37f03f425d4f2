using System.Globalization;
using System.Runtime.CompilerServices;
using MfaHost.PluginSdk;
using Npgsql;
using NpgsqlTypes;
using MfaHost.Configuration;

namespace MfaHost.State;

/// <summary>
/// The host's state store in PostgreSQL, shared by every host configured on it (<c>[state] backend = postgres</c>).
/// One table of keys, values and absolute expiries (Unix milliseconds of the hosts' clocks, as in the SQLite store).
/// Every operation is one statement, so single use holds across hosts by the database itself: a claim is an
/// <c>INSERT … ON CONFLICT … DO UPDATE … WHERE expired</c> that reports whether it took the row, a counter is an
/// upsert that returns the new count; nothing reads and then writes. Expired rows are invisible at once and deleted
/// by <see cref="SweepAsync"/> in small batches that skip rows other statements hold.
/// </summary>
/// <remarks>
/// The schema is migrated on first use (and at host start-up, see <see cref="StateStoreMaintenance"/>); until that
/// has succeeded every operation retries it and fails while the database is unreachable, so a host started before
/// its database comes up serves as soon as it does.
/// </remarks>
internal sealed class PostgresStateStore : IStateStore, IAsyncDisposable
{
    public const int SweepBatch = 5000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _migrating = new(1, 1);
    private readonly string _get;
    private readonly string _set;
    private readonly string _tryAdd;
    private readonly string _remove;
    private readonly string _increment;
    private readonly string _expiry;
    private readonly string _list;
    private readonly string _sweep;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;
    private volatile bool _ready;

    public PostgresStateStore(StateSettings settings, TimeProvider timeProvider, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(settings.ConnectionString);
        Schema = settings.Schema;
        _timeProvider = timeProvider;
        var connection = new NpgsqlConnectionStringBuilder(settings.ConnectionString)
        {
            MaxPoolSize = settings.PoolSize,
            CommandTimeout = (int)Math.Ceiling(settings.CommandTimeout.TotalSeconds),
            Timeout = (int)Math.Ceiling(settings.CommandTimeout.TotalSeconds),
            MaxAutoPrepare = 16,
            AutoPrepareMinUsages = 2,
        };
        if (string.IsNullOrEmpty(connection.ApplicationName))
        {
            connection.ApplicationName = "mfahost";
        }

        _dataSource = new NpgsqlDataSourceBuilder(connection.ConnectionString).Build();
        var table = $"\"{Schema}\".state";
        const string live = "(expires IS NULL OR expires > $2)";
        _get = $"SELECT value FROM {table} WHERE key = $1 AND {live}";
        _expiry = $"SELECT expires FROM {table} WHERE key = $1 AND {live}";
        _set = $"INSERT INTO {table} (key, value, expires) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires";

        // An expired row counts as absent: the upsert replaces it and returns it; a live one it leaves alone and returns nothing.
        _tryAdd = $"""
            INSERT INTO {table} AS s (key, value, expires) VALUES ($1, $2, $3)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires
            WHERE s.expires IS NOT NULL AND s.expires <= $4
            RETURNING 1
            """;
        _remove = $"DELETE FROM {table} WHERE key = $1 AND {live}";
        _increment = $"""
            INSERT INTO {table} AS s (key, value, expires) VALUES ($1, '1', $2)
            ON CONFLICT (key) DO UPDATE SET
                value = CASE WHEN s.expires IS NOT NULL AND s.expires <= $3 THEN '1' ELSE (s.value::bigint + 1)::text END,
                expires = CASE WHEN s.expires IS NOT NULL AND s.expires <= $3 THEN excluded.expires ELSE s.expires END
            RETURNING value
            """;
        _list = $"SELECT key, value FROM {table} WHERE key >= $1 AND starts_with(key, $1) AND {live} ORDER BY key";
        _sweep = $"DELETE FROM {table} WHERE key IN (SELECT key FROM {table} WHERE expires IS NOT NULL AND expires <= $1 ORDER BY expires LIMIT {SweepBatch} FOR UPDATE SKIP LOCKED)";
    }

    public string Schema { get; }

    /// <summary>Whether the schema has been migrated (or found current) by this store.</summary>
    public bool IsReady => _ready;

    /// <summary>Applies the migrations this build has and the database lacks (under the advisory lock).</summary>
    /// <exception cref="StateSchemaTooNewException">The database is newer than this build.</exception>
    public async Task<(int From, int To)> MigrateAsync(CancellationToken cancellationToken)
    {
        await _migrating.WaitAsync(cancellationToken);
        try
        {
            var result = await RunAsync(() => PostgresSchema.MigrateAsync(_dataSource, Schema, cancellationToken));
            _ready = true;

            // Logged here, whoever ran it first (start-up, the first login, a plugin at start): hosts that start
            // together show exactly one "migrated" line between them.
            if (result.From == result.To)
            {
                StateLog.UpToDate(_logger, Schema, result.To);
            }
            else
            {
                StateLog.Migrated(_logger, Schema, result.From, result.To);
            }

            return result;
        }
        finally
        {
            _migrating.Release();
        }
    }

    /// <summary>The schema version the database is at (0 when the schema does not exist yet).</summary>
    public Task<int> SchemaVersionAsync(CancellationToken cancellationToken) =>
        RunAsync(() => PostgresSchema.VersionAsync(_dataSource, Schema, cancellationToken));

    public async ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(_get, cancellationToken, Text(key), Ms(Now()));
        return await RunAsync(async () => await command.ExecuteScalarAsync(cancellationToken) as string);
    }

    public async ValueTask SetAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(_set, cancellationToken, Text(key), Text(value), Ms(expiresAt?.ToUnixTimeMilliseconds()));
        await RunAsync(() => command.ExecuteNonQueryAsync(cancellationToken));
    }

    public async ValueTask<bool> TryAddAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(_tryAdd, cancellationToken, Text(key), Text(value), Ms(expiresAt?.ToUnixTimeMilliseconds()), Ms(Now()));
        return await RunAsync(async () => await command.ExecuteScalarAsync(cancellationToken) is not null);
    }

    public async ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(_remove, cancellationToken, Text(key), Ms(Now()));
        return await RunAsync(() => command.ExecuteNonQueryAsync(cancellationToken)) == 1;
    }

    public async ValueTask<long> IncrementAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(_increment, cancellationToken, Text(key), Ms(expiresAt.ToUnixTimeMilliseconds()), Ms(Now()));
        var value = await RunAsync(() => command.ExecuteScalarAsync(cancellationToken));
        return long.Parse((string)value!, CultureInfo.InvariantCulture);
    }

    public async ValueTask<(bool Exists, DateTimeOffset? ExpiresAt)> TryGetExpiryAsync(string key, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(_expiry, cancellationToken, Text(key), Ms(Now()));
        return await RunAsync(async () =>
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return (false, (DateTimeOffset?)null);
            }

            return (true, reader.IsDBNull(0) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)));
        });
    }

    public async IAsyncEnumerable<KeyValuePair<string, string>> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Read whole before yielding: a caller that writes while enumerating must not need a second connection from a full pool.
        await using var command = await CommandAsync(_list, cancellationToken, Text(prefix), Ms(Now()));
        var entries = await RunAsync(async () =>
        {
            var list = new List<KeyValuePair<string, string>>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(new(reader.GetString(0), reader.GetString(1)));
            }

            return list;
        });
        foreach (var entry in entries)
        {
            yield return entry;
        }
    }

    /// <summary>Deletes expired rows, a batch at a time, skipping rows that other statements hold; returns how many.</summary>
    public async Task<long> SweepAsync(CancellationToken cancellationToken)
    {
        long total = 0;
        int deleted;
        do
        {
            await using var command = await CommandAsync(_sweep, cancellationToken, Ms(Now()));
            deleted = await RunAsync(() => command.ExecuteNonQueryAsync(cancellationToken));
            total += deleted;
        }
        while (deleted == SweepBatch);

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        _migrating.Dispose();
    }

    private static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Ms(long? value) => new() { Value = value is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };

    private long Now() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private async ValueTask<NpgsqlCommand> CommandAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        if (!_ready)
        {
            await MigrateAsync(cancellationToken);
        }

#pragma warning disable CA2100 // The SQL is one of this class's statements with a validated schema name; values go in parameters.
        var command = _dataSource.CreateCommand(sql);
#pragma warning restore CA2100
        command.Parameters.AddRange(parameters);
        return command;
    }

    // A broken connection (the server restarted, the network dropped) poisons every idle one of the pool the same way:
    // they are dropped at once, so the first statements after the database returns do not each fail on a dead socket.
    private async Task<T> RunAsync<T>(Func<Task<T>> statement)
    {
        try
        {
            return await statement();
        }
        catch (NpgsqlException e) when (IsConnectionFailure(e))
        {
            _dataSource.Clear();
            throw;
        }
    }

    private static bool IsConnectionFailure(NpgsqlException e) =>
        e is not PostgresException postgres || postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState.StartsWith("57", StringComparison.Ordinal);
}
