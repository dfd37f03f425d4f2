using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace MfaHost.State;

/// <summary>
/// The versioned schema of the PostgreSQL store. Every host applies what is missing at start-up (and
/// <c>mfahost state migrate</c> does on demand), all in one transaction under a transaction-scoped advisory
/// lock, so hosts starting together queue up and the second finds the work done. A database at a version
/// newer than this build knows is refused: an older host must not write rows a newer schema reads differently.
/// </summary>
/// <remarks>Hand-written rather than a migration framework: one table, a handful of statements, and the lock and
/// the newer-schema refusal are the parts that matter; EF Core migrations would bring a whole ORM for them.</remarks>
internal static class PostgresSchema
{
    /// <summary>The migrations in order; version N is element N-1. Append only: never edit a released one.</summary>
    private static readonly (string Description, string Sql)[] Migrations =
    [
        ("state table", """
            CREATE TABLE {0}.state (
                key text COLLATE "C" PRIMARY KEY,
                value text NOT NULL,
                expires bigint
            );
            CREATE INDEX state_expires ON {0}.state (expires) WHERE expires IS NOT NULL;
            """),
    ];

    private const int MigrationTimeoutSeconds = 60;

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestVersion => Migrations.Length;

    /// <summary>Brings <paramref name="schema"/> to <see cref="LatestVersion"/>.</summary>
    /// <returns>The version found and the version left.</returns>
    /// <exception cref="StateSchemaTooNewException">The database is at a newer version than this build knows.</exception>
    public static async Task<(int From, int To)> MigrateAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock($1)", cancellationToken, LockKey(schema));

        // Checked first so that a role without CREATE on the database can use a schema an administrator made.
        if (await ScalarAsync(connection, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", cancellationToken, schema) is 0L)
        {
            await ExecuteAsync(connection, $"CREATE SCHEMA \"{schema}\"", cancellationToken);
        }

        await ExecuteAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS "{schema}".schema_version (
                version integer PRIMARY KEY,
                description text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, cancellationToken);
        var found = (int)await ScalarAsync(connection, $"SELECT coalesce(max(version), 0) FROM \"{schema}\".schema_version", cancellationToken);
        if (found > LatestVersion)
        {
            throw new StateSchemaTooNewException(schema, found, LatestVersion);
        }

        for (var version = found + 1; version <= LatestVersion; version++)
        {
            var (description, sql) = Migrations[version - 1];
            await ExecuteAsync(connection, string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, $"\"{schema}\""), cancellationToken);
            await ExecuteAsync(connection, $"INSERT INTO \"{schema}\".schema_version (version, description) VALUES ($1, $2)", cancellationToken, version, description);
        }

        await transaction.CommitAsync(cancellationToken);
        return (found, LatestVersion);
    }

    /// <summary>The version the database is at (0: no schema yet), without changing anything.</summary>
    public static async Task<int> VersionAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await ScalarAsync(connection, "SELECT to_regclass($1) IS NOT NULL", cancellationToken, $"\"{schema}\".schema_version") is not true)
        {
            return 0;
        }

        return (int)await ScalarAsync(connection, $"SELECT coalesce(max(version), 0) FROM \"{schema}\".schema_version", cancellationToken);
    }

    // One lock per schema, so two deployments sharing a database in different schemas do not wait for each other.
    private static long LockKey(string schema) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("mfahost-migrate:" + schema)), 0);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken) ?? DBNull.Value;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] parameters)
    {
#pragma warning disable CA2100 // The SQL is this class's constants with a validated schema name; values go in parameters.
        var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100

        // Waiting for another host's migration (the lock) or creating tables may take longer than a login's statement.
        command.CommandTimeout = Math.Max(command.CommandTimeout, MigrationTimeoutSeconds);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}

/// <summary>The database's schema is newer than this build knows: this host must not use it.</summary>
internal sealed class StateSchemaTooNewException(string schema, int found, int known)
    : Exception($"the PostgreSQL schema '{schema}' is at version {found}, newer than this mfahost knows ({known}): upgrade this host, or point it at another schema")
{
    public int Found { get; } = found;

    public int Known { get; } = known;
}
