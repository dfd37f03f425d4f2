using System.CommandLine;
using MfaHost.Configuration;
using MfaHost.State;
using Npgsql;

namespace MfaHost.Cli;

/// <summary>
/// <c>mfahost state migrate</c>: brings the PostgreSQL schema to this build's version (hosts also do it at start-up);
/// <c>mfahost state copy --to postgres</c>: copies an SQLite store (TOTP enrollments above all) into the PostgreSQL
/// database of <c>[state]</c>, for the move from one host to several.
/// </summary>
internal static class StateCommand
{
    private const int ProgressEvery = 1000;

    public static Command Create(CliConsole console)
    {
        var command = new Command("state", "The host's state store: migrate the PostgreSQL schema, copy an SQLite store into PostgreSQL");

        var migrateConfig = CliOptions.Config();
        var migrate = new Command("migrate", "Apply the PostgreSQL schema migrations this mfahost has and the database lacks ([state] backend = postgres); exit 1 when the database is unreachable or newer")
        {
            migrateConfig,
        };
        migrate.SetAction((parse, ct) => MigrateAsync(ConfigurationReport.ResolveConfigPath(parse.GetValue(migrateConfig)), console, ct));
        command.Subcommands.Add(migrate);

        var copyConfig = CliOptions.Config();
        var to = new Option<string>("--to") { Description = "The target backend: postgres (the database of [state])", Required = true, HelpName = "BACKEND" };
        to.AcceptOnlyFromAmong("postgres");
        var from = new Option<string?>("--from") { Description = "The SQLite file to copy (default: state.db in [host] data_dir)", HelpName = "PATH" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace keys the database already has (default: keep them, e.g. a user enrolled on another host)" };
        var copy = new Command("copy", "Copy every live entry of an SQLite state store (enrollments, used codes, counters) into PostgreSQL; keys already there are kept unless --overwrite")
        {
            copyConfig,
            to,
            from,
            overwrite,
        };
        copy.SetAction((parse, ct) => CopyAsync(
            ConfigurationReport.ResolveConfigPath(parse.GetValue(copyConfig)), parse.GetValue(from), parse.GetValue(overwrite), console, ct));
        command.Subcommands.Add(copy);
        return command;
    }

    private static async Task<int> MigrateAsync(string configPath, CliConsole console, CancellationToken cancellationToken)
    {
        if (LoadPostgres(configPath, console) is not { } settings)
        {
            return ExitCodes.UsageOrConfig;
        }

        await using var store = new PostgresStateStore(settings.State, TimeProvider.System);
        return await ReportingFailuresAsync(console, async () =>
        {
            console.Out.WriteLine($"schema {store.Schema}: at version {await store.SchemaVersionAsync(cancellationToken)}, this mfahost knows {PostgresSchema.LatestVersion}");
            var (found, now) = await store.MigrateAsync(cancellationToken);
            console.Out.WriteLine(found == now ? $"schema {store.Schema}: up to date (version {now})" : $"schema {store.Schema}: migrated from version {found} to {now}");
            return ExitCodes.Ok;
        });
    }

    private static async Task<int> CopyAsync(string configPath, string? fromOption, bool overwrite, CliConsole console, CancellationToken cancellationToken)
    {
        if (LoadPostgres(configPath, console) is not { } settings)
        {
            return ExitCodes.UsageOrConfig;
        }

        var sourcePath = Path.GetFullPath(fromOption ?? Path.Combine(settings.DataDirectory, SqliteStateStore.FileName));
        if (!File.Exists(sourcePath))
        {
            console.Error.WriteLine($"error: there is no SQLite state store at {sourcePath} (--from names another)");
            return ExitCodes.UsageOrConfig;
        }

        using var source = new SqliteStateStore(sourcePath, TimeProvider.System);
        await using var target = new PostgresStateStore(settings.State, TimeProvider.System);
        return await ReportingFailuresAsync(console, async () =>
        {
            await target.MigrateAsync(cancellationToken);
            var entries = new List<KeyValuePair<string, string>>();
            await foreach (var entry in source.ListAsync(string.Empty, cancellationToken))
            {
                entries.Add(entry);
            }

            console.Out.WriteLine($"copying {entries.Count} entries from {sourcePath} to PostgreSQL schema {target.Schema}");
            int copied = 0, kept = 0, done = 0;
            foreach (var (key, value) in entries)
            {
                // Read again: an entry that expired since the listing is not worth copying.
                var (exists, expiresAt) = await source.TryGetExpiryAsync(key, cancellationToken);
                if (exists)
                {
                    if (overwrite)
                    {
                        await target.SetAsync(key, value, expiresAt, cancellationToken);
                        copied++;
                    }
                    else if (await target.TryAddAsync(key, value, expiresAt, cancellationToken))
                    {
                        copied++;
                    }
                    else
                    {
                        kept++;
                    }
                }

                if (++done % ProgressEvery == 0)
                {
                    console.Out.WriteLine($"  {done} of {entries.Count}");
                }
            }

            console.Out.WriteLine($"copied {copied}, kept {kept} already in the database{(kept > 0 ? " (--overwrite replaces them)" : string.Empty)}, {entries.Count - copied - kept} expired meanwhile");
            console.Out.WriteLine("the SQLite file is left as it was; the hosts use PostgreSQL once [state] backend = postgres");
            return ExitCodes.Ok;
        });
    }

    private static HostSettings? LoadPostgres(string configPath, CliConsole console)
    {
        var errors = new List<MfaHost.PluginSdk.MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(configPath, errors);
        if (errors.Count > 0)
        {
            ConfigurationReport.WriteErrors(console.Error, errors);
            return null;
        }

        if (settings.State.Backend != StateBackend.Postgres)
        {
            console.Error.WriteLine($"error: {settings.ConfigFile}: [state] backend is sqlite; set backend = postgres and connection_string first (docs/high-availability.md)");
            return null;
        }

        return settings;
    }

    // The database's own words (unreachable, refused, too new), never the connection string.
    private static async Task<int> ReportingFailuresAsync(CliConsole console, Func<Task<int>> work)
    {
        try
        {
            return await work();
        }
        catch (StateSchemaTooNewException e)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or System.Net.Sockets.SocketException)
        {
            console.Error.WriteLine($"error: PostgreSQL: {GuardedStateStore.Describe(e)}");
            return ExitCodes.Failed;
        }
    }
}
