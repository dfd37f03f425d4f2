using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MfaHost.State;

/// <summary>
/// One connection to the state file with its prepared statements, one method per SQL statement of
/// <see cref="SqliteStateStore"/>; used by one caller at a time.
/// </summary>
internal sealed class SqliteStateConnection(SqliteConnection connection) : IDisposable
{
    private const string Live = "(expires IS NULL OR expires > $now)";

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
            $"DELETE FROM state WHERE key IN (SELECT key FROM state WHERE expires IS NOT NULL AND expires <= $now LIMIT {SqliteStateStore.PurgeBatch})",
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
