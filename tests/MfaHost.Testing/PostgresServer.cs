using System.Diagnostics;
using Npgsql;

namespace MfaHost.Testing;

/// <summary>
/// A private PostgreSQL server for tests: Debian's <c>initdb</c> and <c>pg_ctl</c> (from /usr/lib/postgresql/*/bin)
/// run a cluster in a temporary folder, listening only on a Unix socket in that folder (no TCP port, nothing shared
/// with a system service). PostgreSQL refuses to run as root, so under root it runs as the <c>postgres</c> system
/// user. <see cref="Shared"/> is the one server of a test run; a test that stops the server starts its own.
/// Each test takes a fresh schema (<see cref="NewSchema"/>) or database (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string Superuser = "mfahost_test";

    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(() => StartAsync());
    private readonly string _bin;
    private readonly string? _runAs;

    private PostgresServer(string directory, string bin, string? runAs)
    {
        Directory = directory;
        _bin = bin;
        _runAs = runAs;
    }

    /// <summary>The cluster's folder (data, socket, log).</summary>
    public string Directory { get; }

    private string DataDirectory => Path.Combine(Directory, "data");

    private string LogFile => Path.Combine(Directory, "server.log");

    /// <summary>The server of this test run, started on first use and stopped by <see cref="StopSharedAsync"/> (or at process exit).</summary>
    public static Task<PostgresServer> Shared => SharedServer.Value;

    /// <summary>Stops <see cref="Shared"/> if it was started (a [SetUpFixture]'s one-time tear-down calls it).</summary>
    public static async Task StopSharedAsync()
    {
        if (SharedServer.IsValueCreated && SharedServer.Value.IsCompletedSuccessfully)
        {
            await SharedServer.Value.Result.DisposeAsync();
        }
    }

    /// <summary>Creates and starts a new cluster.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is not installed, or the server did not start (its log is in the message).</exception>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinaries();
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var directory = Path.Combine("/tmp", "mfa-pg-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(directory);
        if (runAs is not null)
        {
            await RunAsync("chown", [runAs, directory], null);
        }

        var server = new PostgresServer(directory, bin, runAs);
        try
        {
            await server.RunToolAsync("initdb", ["-D", server.DataDirectory, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
            await server.StartServerAsync();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.StopServer("immediate");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string to <paramref name="database"/> as the superuser, over the server's socket.</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = Directory, Database = database, Username = Superuser, Pooling = true }.ConnectionString;

    /// <summary>A schema name no other test uses (the store creates it).</summary>
    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "db_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection))
        {
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    /// <summary>Runs one SQL statement in <paramref name="database"/> as the superuser and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
#pragma warning disable CA2100 // Test SQL.
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Stops the server (fast shutdown: clients are disconnected at once); the data stays for <see cref="StartServerAsync"/>.</summary>
    public Task StopServerAsync() => RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"]);

    /// <summary>Starts the (stopped) server again and waits until it accepts connections.</summary>
    public async Task StartServerAsync()
    {
        try
        {
            await RunToolAsync("pg_ctl", [
                "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "start",
                "-o", $"-k {Directory} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"]);
        }
        catch (InvalidOperationException e)
        {
            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "(no log)";
            throw new InvalidOperationException($"{e.Message}\nserver log:\n{log}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        StopServer("fast");
        await Task.Yield();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void StopServer(string mode)
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "stop"]).GetAwaiter().GetResult();
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    private static string FindBinaries()
    {
        var versions = System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .ToList()
            : [];
        return versions.Count > 0
            ? Path.Combine(versions[0], "bin")
            : throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql (.ci/run does)");
    }

    private Task RunToolAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(_bin, tool);
        return _runAs is null
            ? RunAsync(path, arguments, Directory)
            : RunAsync("runuser", ["-u", _runAs, "--", path, .. arguments], Directory);
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, string? workingDirectory)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "/",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
