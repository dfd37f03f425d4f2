using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MfaHost.Client;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Plugins.Totp.Tests.Socket;

/// <summary>
/// Several hosts, one truth: two real hosts (RunningHost, each with its own services, connection pool and socket)
/// configured on one private PostgreSQL server. Single use, lock-out and tickets hold across both because the
/// database decides; a database outage makes both fail closed and they recover on their own.
/// </summary>
public sealed partial class TwoHostsOnPostgresTests
{
    private const string Instance = "totp";
    // Hosts sharing a store share the seed key (each would otherwise generate its own, and the second be refused).
    private static readonly string InstanceIni = $"[plugin]\ntype = totp\n[auth]\nallow_one_time_tokens = yes\n[totp]\nseed_key = {Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}\n";
    private const string SigningKey = "a-signing-key-shared-by-both-hosts-0123456789";

    private readonly List<RunningHost> _hosts = [];
    private FakeTimeProvider _time = null!;
    private string _schema = null!;

    private static string PluginsDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 10, TimeSpan.Zero));
        _schema = PostgresServer.NewSchema();
        SuiteLog.RegisterSecret(SigningKey, "ticket signing key");
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
    }

    [Test]
    public async Task A_user_enrolled_through_host_A_authenticates_on_host_B()
    {
        var (a, b) = await StartPairAsync();
        var secret = await EnrollAsync(a, "alice");
        await using var client = await b.CreateClientAsync();

        var result = await client.AuthenticateAsync(Otp("alice", Code(secret)));

        Assert.That((result.Verdict, result.Reason), Is.EqualTo(("ACCEPT", MfaReasons.Accepted)), result.ToString());
    }

    [Test]
    public async Task Fifty_concurrent_uses_of_one_code_split_across_both_hosts_give_exactly_one_accept()
    {
        var (a, b) = await StartPairAsync();
        var code = Code(await EnrollAsync(a, "alice"));

        var results = await ConcurrentlyAsync(a, b, 50, client => client.AuthenticateAsync(Otp("alice", code)));

        Assert.That(results.Count(r => r.IsAccept), Is.EqualTo(1), Summary(results));
        Assert.That(results.Where(r => !r.IsAccept).Select(r => r.Reason).Distinct(), Is.SubsetOf(new[] { MfaReasons.Replayed, MfaReasons.LockedOut }));
    }

    [Test]
    public async Task Fifty_concurrent_uses_of_one_one_time_token_split_across_both_hosts_give_exactly_one_accept()
    {
        var (a, b) = await StartPairAsync();
        await EnrollAsync(a, "alice");
        string token;
        await using (var client = await a.CreateClientAsync())
        {
            token = (await client.CallAsync("token_create", new JsonObject { ["username"] = "alice" })).GetProperty("token").GetString()!;
        }

        SuiteLog.RegisterSecret(token, "one-time token");

        var results = await ConcurrentlyAsync(a, b, 50, client => client.AuthenticateAsync(Otp("alice", token)));

        Assert.That(results.Count(r => r.IsAccept), Is.EqualTo(1), Summary(results));
        Assert.That(results.Single(r => r.IsAccept).Reason, Is.EqualTo(MfaReasons.OneTimeToken));
        Assert.That(results.Where(r => !r.IsAccept).Select(r => r.Reason).Distinct(), Is.EqualTo(new[] { MfaReasons.Replayed }));
    }

    [Test]
    public async Task A_ticket_issued_by_host_A_verifies_exactly_once_across_fifty_concurrent_verifies_on_both_hosts()
    {
        var (a, b) = await StartPairAsync();
        var secret = await EnrollAsync(a, "alice");
        string ticket;
        await using (var client = await a.CreateClientAsync())
        {
            var accept = await client.AuthenticateAsync(Otp("alice", Code(secret)));
            Assert.That(accept.SessionToken, Is.Not.Null, accept.ToString());
            SuiteLog.RegisterSecret(accept.SessionToken!, "session token");

            // The session token of host A buys the ticket on host B: the hosts share the signing key.
            await using var onB = await b.CreateClientAsync();
            ticket = (await onB.CallAsync("ticket", new JsonObject { ["session_token"] = accept.SessionToken, ["applid"] = "CICSPROD" })).GetProperty("ticket").GetString()!;
        }

        SuiteLog.RegisterSecret(ticket, "ticket");

        var results = await ConcurrentlyAsync(a, b, 50, async client =>
            await client.CallAsync("ticket_verify", new JsonObject { ["user_id"] = "alice", ["applid"] = "CICSPROD", ["ticket"] = ticket }));

        Assert.That(results.Count(r => r.GetProperty("valid").GetBoolean()), Is.EqualTo(1));
        Assert.That(results.Where(r => !r.GetProperty("valid").GetBoolean()).Select(r => r.GetProperty("reason").GetString()).Distinct(), Is.EqualTo(new[] { MfaReasons.Replayed }));
    }

    [Test]
    public async Task Five_wrong_codes_split_across_both_hosts_lock_the_user_out_on_both()
    {
        var (a, b) = await StartPairAsync();
        var secret = await EnrollAsync(a, "alice");
        await using var onA = await a.CreateClientAsync();
        await using var onB = await b.CreateClientAsync();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await (i % 2 == 0 ? onA : onB).AuthenticateAsync(Otp("alice", "000000"));
            Assert.That(wrong.Reason, Is.EqualTo(MfaReasons.AuthenticationFailed), wrong.ToString());
        }

        var lockedOnA = await onA.AuthenticateAsync(Otp("alice", Code(secret)));
        var lockedOnB = await onB.AuthenticateAsync(Otp("alice", Code(secret)));

        Assert.That((lockedOnA.Reason, lockedOnB.Reason), Is.EqualTo((MfaReasons.LockedOut, MfaReasons.LockedOut)));
    }

    [Test]
    public async Task Two_hosts_started_at_the_same_moment_on_an_empty_database_migrate_it_once()
    {
        var server = await PostgresServer.Shared;

        await StartPairAsync();

        Assert.That(await server.ScalarAsync($"SELECT count(*) FROM {_schema}.schema_version"), Is.EqualTo(1L));
        var migrated = _hosts.Sum(h => h.Logs.Count(l => l.Contains($"State schema {_schema}: migrated from version", StringComparison.Ordinal)));
        Assert.That(migrated, Is.EqualTo(1), "one host migrated; the other waited on the lock and found the work done");
    }

    [Test]
    public async Task With_the_database_stopped_both_hosts_deny_state_unavailable_and_report_degraded_then_recover_without_a_restart()
    {
        await using var server = await PostgresServer.StartAsync();

        // The real clock here: the hosts' own probe (every second) must notice the database's return.
        var (a, b) = await StartPairAsync(server, TimeProvider.System);
        var secrets = new[] { await EnrollAsync(a, "alice"), await EnrollAsync(a, "bob") };
        await using var onA = await a.CreateClientAsync();
        await using var onB = await b.CreateClientAsync();

        await server.StopServerAsync();
        var denied = new[]
        {
            await onA.AuthenticateAsync(Otp("alice", Code(secrets[0], TimeProvider.System))),
            await onB.AuthenticateAsync(Otp("bob", Code(secrets[1], TimeProvider.System))),
        };
        var health = new[] { await onA.HealthAsync(), await onB.HealthAsync() };

        Assert.Multiple(() =>
        {
            Assert.That(denied.Select(d => (d.Verdict, d.Reason)), Is.All.EqualTo(("DENY", "state_unavailable")), Summary(denied));
            Assert.That(health.Select(h => h.Status), Is.All.EqualTo("degraded"));
            Assert.That(health.Select(h => h.Problems?.SingleOrDefault()), Is.All.StartsWith("the postgres state store is unavailable"));
        });

        await server.StartServerAsync();
        foreach (var client in new[] { onA, onB })
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while ((await client.HealthAsync()).Status != "ok" && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200);
            }
        }

        var accepted = new[]
        {
            await onA.AuthenticateAsync(Otp("alice", Code(secrets[0], TimeProvider.System))),
            await onB.AuthenticateAsync(Otp("bob", Code(secrets[1], TimeProvider.System))),
        };
        Assert.Multiple(async () =>
        {
            Assert.That((await onA.HealthAsync()).Status, Is.EqualTo("ok"), "host A recovered by itself");
            Assert.That((await onB.HealthAsync()).Status, Is.EqualTo("ok"), "host B recovered by itself");
            Assert.That(accepted.Select(r => r.Verdict), Is.All.EqualTo("ACCEPT"), Summary(accepted));
        });
    }

    private static AuthenticateParams Otp(string user, string code) =>
        new() { Plugin = Instance, SessionId = "s-" + Guid.NewGuid().ToString("N")[..8], Username = user, MfaPassword = code };

    private static string Summary(IEnumerable<AuthenticateResult> results) =>
        string.Join("; ", results.GroupBy(r => $"{r.Verdict} {r.Reason}").Select(g => $"{g.Count()}x {g.Key}"));

    /// <summary><paramref name="count"/> calls at once, each on its own connection, alternating between the hosts.</summary>
    private static async Task<T[]> ConcurrentlyAsync<T>(RunningHost a, RunningHost b, int count, Func<MfaHostClient, Task<T>> call)
    {
        var clients = new List<MfaHostClient>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                clients.Add(await (i % 2 == 0 ? a : b).CreateClientAsync());
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

    private string Code(string secret, TimeProvider? time = null) =>
        new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret)).ComputeTotp((time ?? _time).GetUtcNow().UtcDateTime);

    private async Task<(RunningHost A, RunningHost B)> StartPairAsync(PostgresServer? server = null, TimeProvider? time = null)
    {
        server ??= await PostgresServer.Shared;
        var configuration = $"""
            [state]
            backend = postgres
            connection_string = {server.ConnectionString()}
            schema = {_schema}
            command_timeout = 2
            [tickets]
            signing_key = {SigningKey}
            """;
        var clock = time ?? _time;
        var started = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => RunningHost.StartAsync(
            PluginsDirectory,
            new Dictionary<string, string> { [Instance] = InstanceIni },
            configuration,
            s => s.AddSingleton(clock))));
        _hosts.AddRange(started);
        return (started[0], started[1]);
    }

    /// <summary>Enrolls through host <paramref name="host"/>'s command line and returns the secret.</summary>
    private static async Task<string> EnrollAsync(RunningHost host, string user)
    {
        var result = await host.RunCliAsync(["totp", "enroll", user]);
        Assert.That(result.ExitCode, Is.Zero, result.Error);
        return SecretInUri().Match(result.Output).Groups[1].Value;
    }

    [GeneratedRegex("secret=([A-Z2-7]+)&")]
    private static partial Regex SecretInUri();
}
