using MfaHost.Configuration;
using MfaHost.PluginSdk;
using Microsoft.Data.Sqlite;

namespace MfaHost.State;

/// <summary>
/// The state store of a command that only validates (<c>check-config</c>, <c>plugins</c> without a running host): the
/// plugins it constructs read what the host's store holds (the totp plugin checks its key against the sealed
/// enrollments), but nothing they do reaches the disk. With SQLite the live entries of an existing <c>state.db</c> are
/// copied into memory through a read-only connection; without one the store is empty and no file or folder is created.
/// PostgreSQL is a server, not a file here: it is used as configured (validating plugins write nothing).
/// </summary>
internal static class ValidationStateStore
{
    public static async Task<IStateStore> OpenAsync(HostSettings settings, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.State.Backend == StateBackend.Postgres)
        {
            return StateStoreFactory.Open(settings, timeProvider);
        }

        var memory = new InMemoryStateStore(timeProvider);
        var path = Path.Combine(settings.DataDirectory, SqliteStateStore.FileName);
        if (!File.Exists(path))
        {
            return memory;
        }

        // A store no host has open has no write-ahead log: read it as immutable, so SQLite creates no -wal or -shm file
        // beside it. A running host's store has them already; a read-only connection then sees its latest writes.
        var running = File.Exists(path + "-wal");
        var source = running ? path : "file:" + Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal) + "?immutable=1";
        var connectionString = new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value, expires FROM state WHERE expires IS NULL OR expires > $now";
        command.Parameters.AddWithValue("$now", timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            DateTimeOffset? expires = reader.IsDBNull(2) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2));
            await memory.SetAsync(reader.GetString(0), reader.GetString(1), expires, CancellationToken.None);
        }

        return memory;
    }
}
