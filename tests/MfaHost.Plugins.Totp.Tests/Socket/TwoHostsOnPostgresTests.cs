using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MfaHost.Client;
using MfaHost.PluginSdk;
using MfaHost.Testing;

namespace MfaHost.Plugins.Totp.Tests.Socket;

/// <summary>
/// Several hosts, one truth (issue 14): two <c>mfahost</c> programs, each its own operating-system process with its
/// own configuration folder and socket, on one private PostgreSQL server. Single use, lock-out and tickets hold across
/// both because the database decides; a database outage makes both fail closed and they recover on their own.
/// One pair, started at the same moment on an empty schema, serves every test but the outage (which stops its own
/// server); each test uses users of its own.
/// </summary>
[NonParallelizable]
public sealed partial class TwoHostsOnPostgresTests
{
    private const string Instance = "totp";
    // The host's own lock-out (issue 15), its state in the shared store under /limits/totp/. Hosts sharing a store share
    // the seed key (each would otherwise generate its own, and the second be refused).
    private static readonly string InstanceIni = "[plugin]\ntype = totp\n[auth]\nallow_one_time_tokens = yes\n[lockout]\nfailures = 5\nwindow = 300\nduration = 300\n"
        + $"[totp]\nseed_key = {Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}\n";
    private const string SigningKey = "a-signing-key-shared-by-both-hosts-0123456789";

    private IReadOnlyList<HostProcess> _pair = [];
    private string _schema = null!;

    private static string PluginsDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");

    private HostProcess A => _pair[0];

    private HostProcess B => _pair[1];

    [OneTimeSetUp]
    public async Task Start_two_host_processes_at_the_same_moment_on_an_empty_schema()
    {
        SuiteLog.RegisterSecret(SigningKey, "ticket signing key");
        _schema = PostgresServer.NewSchema();
        _pair = await StartPairAsync(await PostgresServer.Shared, _schema);
    }

    [OneTimeTearDown]
    public async Task Stop_the_host_processes()
    {
        foreach (var host in _pair)
        {
            await host.DisposeAsync();
        }
    }

    [Test]
    public async Task Two_hosts_started_at_the_same_moment_on_an_empty_database_migrated_it_once()
    {
        var server = await PostgresServer.Shared;

        var versions = await server.ScalarAsync($"SELECT count(*) || ' ' || count(DISTINCT version) FROM {_schema}.schema_version");
        var migrated = _pair.Select(h => h.Output.Lines.Count(l => l.Contains($"State schema {_schema}: migrated from version 0", StringComparison.Ordinal))).ToList();
        var found = _pair.Select(h => h.Output.Lines.Count(l => l.Contains($"State schema {_schema}: at version", StringComparison.Ordinal))).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(versions, Is.EqualTo("1 1"), "each migration applied once");
            Assert.That(migrated.Sum(), Is.EqualTo(1), "one host migrated; the other waited on the advisory lock and found the work done");
            Assert.That(migrated.Zip(found, (m, f) => m + f), Is.All.EqualTo(1), "each host checked the schema once");
        });
    }

    [Test]
    public async Task A_user_enrolled_through_host_A_authenticates_on_host_B()
    {
        var user = NewUser();
        var secret = await EnrollAsync(A, user);
        await using var client = await B.CreateClientAsync();

        var result = await client.AuthenticateAsync(Otp(user, Code(secret)));

        Assert.That((result.Verdict, result.Reason), Is.EqualTo(("ACCEPT", MfaReasons.Accepted)), result.ToString());
    }

    [Test]
    public async Task Fifty_concurrent_uses_of_one_code_split_across_both_hosts_give_exactly_one_accept()
    {
        var user = NewUser();
        var code = Code(await EnrollAsync(A, user));

        var results = await ConcurrentlyAsync(50, client => client.AuthenticateAsync(Otp(user, code)));

        Assert.That(results.Count(r => r.IsAccept), Is.EqualTo(1), Summary(results));
        Assert.That(results.Where(r => !r.IsAccept).Select(r => r.Reason).Distinct(), Is.SubsetOf(new[] { MfaReasons.Replayed, MfaReasons.LockedOut }), Summary(results));
    }

    [Test]
    public async Task Fifty_concurrent_uses_of_one_one_time_token_split_across_both_hosts_give_exactly_one_accept()
    {
        var user = NewUser();
        await EnrollAsync(A, user);
        var created = await A.RunCliAsync(["token", "create", "--user", user]);
        Assert.That(created.ExitCode, Is.Zero, created.Error);
        var token = created.Output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("token: ", StringComparison.Ordinal))["token: ".Length..];
        SuiteLog.RegisterSecret(token, "one-time token");

        var results = await ConcurrentlyAsync(50, client => client.AuthenticateAsync(Otp(user, token)));

        Assert.That(results.Count(r => r.IsAccept), Is.EqualTo(1), Summary(results));
        Assert.That(results.Single(r => r.IsAccept).Reason, Is.EqualTo(MfaReasons.OneTimeToken));
        Assert.That(results.Where(r => !r.IsAccept).Select(r => r.Reason).Distinct(), Is.SubsetOf(new[] { MfaReasons.Replayed, MfaReasons.LockedOut }), Summary(results));
    }

    [Test]
    public async Task A_ticket_issued_by_host_A_verifies_exactly_once_across_fifty_concurrent_verifies_on_both_hosts()
    {
        var user = NewUser();
        var secret = await EnrollAsync(A, user);
        string ticket;
        await using (var onA = await A.CreateClientAsync())
        {
            var accept = await onA.AuthenticateAsync(Otp(user, Code(secret)));
            Assert.That(accept.SessionToken, Is.Not.Null, accept.ToString());
            SuiteLog.RegisterSecret(accept.SessionToken!, "session token");

            // The session token of host A buys the ticket on host B: the hosts share the signing key and the state.
            await using var onB = await B.CreateClientAsync();
            ticket = (await onB.CallAsync("ticket", new JsonObject { ["session_token"] = accept.SessionToken, ["applid"] = "CICSPROD" })).GetProperty("ticket").GetString()!;
        }

        SuiteLog.RegisterSecret(ticket, "ticket");

        var results = await ConcurrentlyAsync(50, async client =>
            await client.CallAsync("ticket_verify", new JsonObject { ["user_id"] = user, ["applid"] = "CICSPROD", ["ticket"] = ticket }));

        Assert.That(results.Count(r => r.GetProperty("valid").GetBoolean()), Is.EqualTo(1));
        Assert.That(results.Where(r => !r.GetProperty("valid").GetBoolean()).Select(r => r.GetProperty("reason").GetString()).Distinct(), Is.EqualTo(new[] { MfaReasons.Replayed }));
    }

    [Test]
    public async Task Five_wrong_codes_split_across_both_hosts_lock_the_user_out_on_both()
    {
        var user = NewUser();
        var secret = await EnrollAsync(A, user);
        await using var onA = await A.CreateClientAsync();
        await using var onB = await B.CreateClientAsync();
        var wrong = WrongCode(secret);
        for (var i = 0; i < 5; i++)
        {
            var denied = await (i % 2 == 0 ? onA : onB).AuthenticateAsync(Otp(user, wrong));
            Assert.That(denied.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed), $"attempt {i + 1}: {denied}");
        }

        var lockedOnB = await onB.AuthenticateAsync(Otp(user, Code(secret)));
        var lockedOnA = await onA.AuthenticateAsync(Otp(user, Code(secret)));

        var server = await PostgresServer.Shared;
        var lockRows = await server.ScalarAsync($"SELECT count(*) FROM {_schema}.state WHERE key = '/limits/{Instance}/locked/{user}'");
        Assert.Multiple(() =>
        {
            Assert.That((lockedOnA.Reason, lockedOnB.Reason), Is.EqualTo((MfaReasons.LockedOut, MfaReasons.LockedOut)), $"{lockedOnA}; {lockedOnB}");
            Assert.That(lockRows, Is.EqualTo(1L), "the lock-out is one row of the shared store, under the host's /limits/");
        });
    }

    [Test]
    public async Task With_the_database_stopped_both_hosts_deny_state_unavailable_and_report_degraded_then_recover_without_a_restart()
    {
        await using var server = await PostgresServer.StartAsync();
        var schema = PostgresServer.NewSchema();
        var hosts = new List<HostProcess>(await StartPairAsync(server, schema));
        try
        {
            var (a, b) = (hosts[0], hosts[1]);
            var secrets = new[] { await EnrollAsync(a, "alice"), await EnrollAsync(b, "bob"), await EnrollAsync(a, "carol") };
            await using var onA = await a.CreateClientAsync();
            await using var onB = await b.CreateClientAsync();

            await server.StopServerAsync();
            var denied = new[]
            {
                await onA.AuthenticateAsync(Otp("alice", Code(secrets[0]))),
                await onB.AuthenticateAsync(Otp("bob", Code(secrets[1]))),
            };
            var health = new[] { await onA.HealthAsync(), await onB.HealthAsync() };
            var enrollDown = await a.RunCliAsync(["totp", "enroll", "dan", "--socket", a.SocketPath]);

            // A third host started while the database is down: the totp instance cannot read its state and does not load.
            var c = await HostProcess.StartAsync(PluginsDirectory, new Dictionary<string, string> { [Instance] = InstanceIni }, HostConfiguration(server, schema));
            hosts.Add(c);
            await using var onC = await c.CreateClientAsync();
            var startedDown = await onC.HealthAsync();

            Assert.Multiple(() =>
            {
                Assert.That(denied.Select(d => (d.Verdict, d.Reason)), Is.All.EqualTo(("DENY", "state_unavailable")), Summary(denied));
                Assert.That(health.Select(h => h.Status), Is.All.EqualTo("degraded"));
                Assert.That(health.Select(h => h.Problems?.SingleOrDefault()), Is.All.StartsWith("the postgres state store is unavailable"));
                Assert.That((startedDown.Status, startedDown.PluginsLoaded), Is.EqualTo(("degraded", 0)), string.Join("\n", c.Output.Lines));
                Assert.That((enrollDown.ExitCode, enrollDown.Error.Trim()), Is.EqualTo((1, "error: The host's state store is unavailable; try again later")), "the command line through a host");
            });

            await server.StartServerAsync();
            foreach (var client in new[] { onA, onB, onC })
            {
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while ((await client.HealthAsync()).Status != "ok" && waited.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(200);
                }
            }

            var accepted = new[]
            {
                await onA.AuthenticateAsync(Otp("alice", Code(secrets[0]))),
                await onB.AuthenticateAsync(Otp("bob", Code(secrets[1]))),
                await onC.AuthenticateAsync(Otp("carol", Code(secrets[2]))),
            };
            var healthAfter = new[] { await onA.HealthAsync(), await onB.HealthAsync(), await onC.HealthAsync() };
            Assert.Multiple(() =>
            {
                Assert.That(healthAfter.Select(h => h.Status), Is.All.EqualTo("ok"), "all hosts recovered by themselves: " + string.Join("\n", c.Output.Lines));
                Assert.That(accepted.Select(r => r.Verdict), Is.All.EqualTo("ACCEPT"), Summary(accepted));
                Assert.That(hosts.Select(h => h.HasExited), Is.All.False, "no restart");
            });
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static Task<IReadOnlyList<HostProcess>> StartPairAsync(PostgresServer server, string schema) =>
        HostProcess.StartManyAsync(2, PluginsDirectory, new Dictionary<string, string> { [Instance] = InstanceIni }, HostConfiguration(server, schema));

    private static string HostConfiguration(PostgresServer server, string schema) => $"""
            [state]
            backend = postgres
            connection_string = {server.ConnectionString()}
            schema = {schema}
            command_timeout = 2
            [tickets]
            signing_key = {SigningKey}
            """;

    private static string NewUser() => "u" + Guid.NewGuid().ToString("N")[..12];

    private static AuthenticateParams Otp(string user, string code) =>
        new() { Plugin = Instance, SessionId = "s-" + Guid.NewGuid().ToString("N")[..8], Username = user, MfaPassword = code };

    private static string Summary(IEnumerable<AuthenticateResult> results) =>
        string.Join("; ", results.GroupBy(r => $"{r.Verdict} {r.Reason}").Select(g => $"{g.Count()}x {g.Key}"));

    /// <summary>The processes use the real clock, so do the codes.</summary>
    private static string Code(string secret) =>
        new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow);

    /// <summary>A code that none of the steps a host accepts now gives.</summary>
    private static string WrongCode(string secret)
    {
        var totp = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret));
        var valid = Enumerable.Range(-3, 7).Select(s => totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30 * s))).ToHashSet();
        return Enumerable.Range(0, 10).Select(d => new string((char)('0' + d), 6)).First(c => !valid.Contains(c));
    }

    /// <summary><paramref name="count"/> calls at once, each on its own connection, alternating between the two processes.</summary>
    private async Task<T[]> ConcurrentlyAsync<T>(int count, Func<MfaHostClient, Task<T>> call)
    {
        var clients = new List<MfaHostClient>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                clients.Add(await _pair[i % 2].CreateClientAsync());
            }

            using var start = new SemaphoreSlim(0);
            var calls = clients.Select(c => Task.Run(async () =>
            {
                await start.WaitAsync();
                return await call(c);
            })).ToList();
            start.Release(count);
            return await Task.WhenAll(calls);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Enrolls through the command line of <paramref name="host"/> (a process, through that host's socket) and returns the secret.</summary>
    private static async Task<string> EnrollAsync(HostProcess host, string user)
    {
        var result = await host.RunCliAsync(["totp", "enroll", user, "--no-confirm", "--socket", host.SocketPath]);
        Assert.That(result.ExitCode, Is.Zero, result.Error);
        return SecretInUri().Match(result.Output).Groups[1].Value;
    }

    [GeneratedRegex("secret=([A-Z2-7]+)&")]
    private static partial Regex SecretInUri();
}
