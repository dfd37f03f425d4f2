using System.Text.RegularExpressions;
using MfaHost.PluginSdk;
using Npgsql;

namespace MfaHost.Configuration;

/// <summary>Where the host keeps its state: <c>sqlite</c> (one file in data_dir, one host) or <c>postgres</c> (shared by several hosts).</summary>
internal enum StateBackend
{
    Sqlite,
    Postgres,
}

/// <summary><c>[state]</c> of the host file.</summary>
internal sealed partial record StateSettings
{
    public const string DefaultSchema = "mfahost";

    public StateBackend Backend { get; init; } = StateBackend.Sqlite;

    /// <summary>The PostgreSQL connection string (a secret: it may hold a password); null for SQLite.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Connections to PostgreSQL at most (per host).</summary>
    public int PoolSize { get; init; } = 20;

    /// <summary>How long one statement (and opening a connection) may take before the decision fails closed.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The PostgreSQL schema the host's tables live in.</summary>
    public string Schema { get; init; } = DefaultSchema;

    public override string ToString() =>
        Backend == StateBackend.Sqlite ? "sqlite" : $"postgres (schema {Schema}, pool {PoolSize}, command timeout {CommandTimeout.TotalSeconds:0.#} s)";

    /// <summary>Reads <c>[state]</c>; every problem is a configuration error naming file and line, never the connection string.</summary>
    public static StateSettings Read(IniSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var backend = section.GetString("backend", "sqlite")!.ToLowerInvariant() switch
        {
            "sqlite" => StateBackend.Sqlite,
            "postgres" or "postgresql" => StateBackend.Postgres,
            var other => throw section.Error("backend", $"'{other}' is not a state backend (sqlite or postgres)"),
        };
        var settings = new StateSettings
        {
            Backend = backend,
            PoolSize = section.GetInt("pool_size", 20, 1, 1000),
            CommandTimeout = section.GetSeconds("command_timeout", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5)),
            Schema = section.GetString("schema", DefaultSchema)!,
        };
        if (!SchemaPattern().IsMatch(settings.Schema))
        {
            throw section.Error("schema", $"'{settings.Schema}' is not a plain PostgreSQL name (lower-case letters, digits and _, at most 63, not starting with a digit)");
        }

        if (backend == StateBackend.Sqlite)
        {
            return settings;
        }

        var connectionString = section.GetSecret("connection_string")
            ?? throw section.Error("connection_string", "is required with backend = postgres (use '$' to read it from the credentials file)");
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
#pragma warning disable CA1031 // Any parse failure is a configuration error; its message may quote the secret, so it is not passed on.
        catch (Exception)
#pragma warning restore CA1031
        {
            throw section.Error("connection_string", "is not a valid PostgreSQL connection string (Host=...;Port=...;Database=...;Username=...)");
        }

        return settings with { ConnectionString = connectionString };
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaPattern();
}
