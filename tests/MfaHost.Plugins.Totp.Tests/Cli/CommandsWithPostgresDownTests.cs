using System.Net.Sockets;
using MfaHost.Testing;

namespace MfaHost.Plugins.Totp.Tests.Cli;

/// <summary>
/// The real <c>mfahost</c> program (a process, so the program's own error handling is what is seen) running the commands
/// that read the state themselves, with no host running, while PostgreSQL is down, refuses, or hangs: each says in one
/// line what is wrong, exits 1, and shows no stack trace, no connection string and no password.
/// </summary>
public sealed class CommandsWithPostgresDownTests
{
    private const string Password = "Pg-Password-Never-Shown-4711";

    private static readonly string[][] Commands =
    [
        ["state", "migrate"],
        ["state", "copy", "--to", "postgres", "--from", "STATE_DB"],
        ["totp", "enroll", "bob"],
        ["totp", "list"],
    ];

    private TempDirectory _dir = null!;
    private System.Net.Sockets.Socket? _hangingServer;

    public enum Trouble
    {
        /// <summary>No server listens (stopped).</summary>
        Down,

        /// <summary>The server answers and refuses the login (no such role).</summary>
        Refused,

        /// <summary>Something accepts the connection and never answers (past command_timeout).</summary>
        Hanging,
    }

    private static IEnumerable<TestCaseData> Cases() =>
        from trouble in Enum.GetValues<Trouble>()
        from command in Commands
        select new TestCaseData(trouble, command).SetArgDisplayNames(trouble.ToString(), string.Join(' ', command.Take(2)));

    [OneTimeSetUp]
    public void Register() => SuiteLog.RegisterSecret(Password, "a PostgreSQL password");

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown()
    {
        _hangingServer?.Dispose();
        _dir.Dispose();
    }

    [TestCaseSource(nameof(Cases))]
    public async Task A_command_that_reads_the_state_says_in_one_line_what_is_wrong_and_exits_1(Trouble trouble, string[] command)
    {
        var connectionString = await ConnectionStringAsync(trouble);
        var config = _dir.Write("config/mfahost.ini", $"""
            [host]
            socket = {_dir.Combine("run", "mfahost.sock")}
            plugins_dir = {Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins")}
            plugin_config_dir = plugins
            data_dir = data
            [state]
            backend = postgres
            connection_string = {connectionString}
            schema = cli_down
            command_timeout = 1
            """);
        _dir.Write("config/plugins/totp.ini", "[plugin]\ntype = totp\n");
        var stateDb = _dir.Write("sqlite/state.db", string.Empty);

        var result = await HostProcess.RunProgramAsync([.. command.Select(a => a == "STATE_DB" ? stateDb : a), "--config", config], limit: TimeSpan.FromSeconds(60));

        var said = result.Output + result.Error;
        var expected = trouble switch
        {
            Trouble.Down => "Failed to connect",
            Trouble.Refused => "role \"no_such_role\" does not exist",
            _ => "timed out",
        };
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), said);
            // Warnings (the audit trail's generated key) may come first; the problem is one line.
            Assert.That(result.Error.TrimEnd().Split('\n').Where(l => !l.StartsWith("warning: ", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(1), "one line: " + result.Error);
            Assert.That(result.Error.TrimEnd().Split('\n')[^1], Does.StartWith(command[0] == "state" ? "error: PostgreSQL: " : "error: ").And.Contain(expected));
            Assert.That(said, Does.Not.Contain(Password).And.Not.Contain("Username=").And.Not.Contain("Exception").And.Not.Contain("   at "));
        });
    }

    private async Task<string> ConnectionStringAsync(Trouble trouble)
    {
        switch (trouble)
        {
            case Trouble.Down:
                return $"Host={_dir.Combine("nopg")};Database=postgres;Username=mfahost;Password={Password}";
            case Trouble.Refused:
                var server = await PostgresServer.Shared;
                return $"Host={server.Directory};Database=postgres;Username=no_such_role;Password={Password}";
            default:
                // Accepts connections (the kernel's backlog) and never says a word.
                Directory.CreateDirectory(_dir.Combine("hang"));
                _hangingServer = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                _hangingServer.Bind(new UnixDomainSocketEndPoint(_dir.Combine("hang", ".s.PGSQL.5432")));
                _hangingServer.Listen(16);
                return $"Host={_dir.Combine("hang")};Database=postgres;Username=mfahost;Password={Password}";
        }
    }
}
