using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MfaHost.Administration;
using MfaHost.Client;
using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Logging;

namespace MfaHost.Benchmarks;

/// <summary>
/// The <c>totp</c> plugin end to end: <c>totp-setup</c> writes a host configuration with a <c>totp</c> instance and enrolls
/// many users straight into its SQLite store; <c>totp-load</c> drives a running host with valid, never repeated codes
/// (so every request passes the replay check, a TryAdd in the store) and counts anything but ACCEPT as an error.
/// </summary>
/// <remarks>
/// The instance uses a 1-second period: a user can then log in twice a second (codes of the current and the next
/// step, both inside the ±1 window), so a few ten thousand users sustain tens of thousands of logins per second
/// without a single replay. Verification cost does not depend on the period.
/// </remarks>
internal static class TotpLoad
{
    public static async Task<int> SetupAsync(Options options)
    {
        var directory = Path.GetFullPath(options.Required("dir"));
        var users = options.Int("users", 30_000);
        var plugins = Path.Combine(AppContext.BaseDirectory, "benchplugins");
        Directory.CreateDirectory(Path.Combine(directory, "plugins"));

        // With --postgres, every host file points at that database: the two-host figure of docs/performance.md.
        var postgres = options.Get("postgres", string.Empty);
        var state = postgres.Length == 0
            ? string.Empty
            : $"[state]\nbackend = postgres\nconnection_string = {postgres}\nschema = {options.Get("schema", "mfahost_bench")}\npool_size = 32\n";
        var hosts = options.Int("hosts", 1);
        for (var h = 0; h < hosts; h++)
        {
            var suffix = h == 0 ? string.Empty : "-" + (char)('a' + h);
            await File.WriteAllTextAsync(Path.Combine(directory, $"mfahost{suffix}.ini"), $"""
                [host]
                socket = {Path.Combine(directory, "run", $"mfahost{suffix}.sock")}
                plugins_dir = {plugins}
                data_dir = data{suffix}
                [logging]
                log_level = warning
                """ + "\n" + state);
        }

        // Sealed seeds, as every production store has them (the key in the file only because this is a benchmark).
        var seedKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await File.WriteAllTextAsync(Path.Combine(directory, "plugins", "totp.ini"), $"[plugin]\ntype = totp\n[totp]\nperiod = 1\nwindow = 1\nscratch_codes = 0\nseed_key = {seedKey}\n");

        // Enrolled through the plugin's own admin operation, on the one instance loaded here (as `mfahost totp enroll` does without a host).
        var started = Stopwatch.GetTimestamp();
        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(Path.Combine(directory, "mfahost.ini"), errors);
        using var loggerFactory = HostComposition.CreateLoggerFactory(settings, Console.Error, Microsoft.Extensions.Logging.LogLevel.Warning);
        var store = HostComposition.CreateStateStore(settings, TimeProvider.System);
        await using var storeLifetime = store as IAsyncDisposable;
        await using var catalog = new PluginCatalogBuilder(settings, loggerFactory, TimeProvider.System, store).BuildOne(Path.Combine(directory, "plugins", "totp.ini"), errors);
        if (errors.Count > 0)
        {
            throw errors[0];
        }

        var runner = new AdminOperationRunner(TimeSpan.FromMinutes(1), TimeProvider.System, loggerFactory.CreateLogger("setup"));
        await using var list = new StreamWriter(Path.Combine(directory, "totp-users.txt"));
        for (var i = 0; i < users; i++)
        {
            var user = "user" + i.ToString(CultureInfo.InvariantCulture);
            var created = await runner.RunAsync(catalog, "totp", "enroll", new JsonObject { ["user"] = user, ["replace"] = true, ["no_confirm"] = true }, default);
            var secret = System.Web.HttpUtility.ParseQueryString(new Uri(created!["uri"]!.GetValue<string>()).Query)["secret"];
            await list.WriteLineAsync($"{user} {secret}");
        }

        Console.WriteLine($"wrote {hosts} host file(s) in {directory} (instance totp, period 1 s, sealed seeds, state {(postgres.Length == 0 ? "sqlite" : "postgres")}); enrolled {users:N0} users in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s; secrets in totp-users.txt");
        return 0;
    }

    public static async Task<int> RunAsync(Options options)
    {
        var socket = options.Required("socket");
        var users = ReadUsers(options.Required("users-file"));
        var plugin = options.Get("plugin", "totp");
        var connections = options.Int("connections", 16);
        var depth = options.Int("depth", 1);
        var seconds = options.Double("seconds") ?? 10;
        var warmup = options.Double("warmup-seconds") ?? 2;
        Console.WriteLine($"totp-load: plugin {plugin} on {socket}; {connections} connection(s), depth {depth}, {users.Length:N0} users, {seconds} s, warm-up {warmup} s");
        var result = await MeasureAsync(socket, users, plugin, connections, depth, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup), options.Get("driver", "lines") == "client");
        Console.WriteLine(result.Summary("totp"));
        Console.WriteLine(LineDriver.Memory(options.Pid));
        return result.Errors == 0 ? 0 : 1;
    }

    /// <summary>The users and Base32 secrets <c>totp-setup</c> wrote, one "name secret" a line.</summary>
    public static (string Name, string Secret)[] ReadUsersFile(string path) =>
        [.. File.ReadLines(path).Select(l => l.Split(' ')).Select(p => (p[0], p[1]))];

    /// <param name="socket">A host's socket, or several comma-separated: the connections alternate between those hosts.</param>
    /// <param name="useClient">Drive through <see cref="MfaHostClient"/> instead of raw JSON lines (always so with several sockets).</param>
    public static async Task<DriverResult> MeasureAsync(string socket, User[] users, string plugin, int connections, int depth, TimeSpan duration, TimeSpan warmup, bool useClient = false)
    {
        var sockets = socket.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!useClient && sockets.Length == 1)
        {
            return await MeasureWithLinesAsync(sockets[0], users, plugin, connections, depth, duration, warmup);
        }

        var clients = new List<MfaHostClient>();
        for (var c = 0; c < connections; c++)
        {
            clients.Add(await MfaHostClient.ConnectAsync(sockets[c % sockets.Length]));
        }

        // Each worker owns a slice of the users, so no two requests race for one user's step.
        var workers = connections * depth;
        var slices = Enumerable.Range(0, workers).Select(w => users.Where((_, i) => i % workers == w).ToArray()).ToArray();
        if (warmup > TimeSpan.Zero)
        {
            await DriveAsync(clients, slices, depth, plugin, warmup);
        }

        var result = await DriveAsync(clients, slices, depth, plugin, duration);
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return result;
    }

    // The same requests as raw JSON lines, built and read without a client library: as lean as the RADIUS driver of
    // totp-compare, so that on a shared 2-core machine the driver takes no more of the CPU from the host than from FreeRADIUS.
    private static async Task<DriverResult> MeasureWithLinesAsync(string socket, User[] users, string plugin, int connections, int depth, TimeSpan duration, TimeSpan warmup)
    {
        var pickers = Enumerable.Range(0, connections).Select(c => new UserPicker([.. users.Where((_, i) => i % connections == c)])).ToArray();
        string Line(int connection, long id)
        {
            (User User, long Step)? next;
            while ((next = pickers[connection].Next()) is null)
            {
                Thread.Sleep(1);
            }

            var (user, step) = next.Value;
            var code = user.Totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step).UtcDateTime);
            return $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"authenticate","params":{"plugin":"{{{plugin}}}","session_id":"c{{{connection}}}-{{{id % 1024}}}","username":"{{{user.Name}}}","mfa_password":"{{{code}}}"}}""";
        }

        static bool Accepted(ReadOnlySpan<byte> answer) => answer.IndexOf("\"verdict\":\"ACCEPT\""u8) >= 0;
        if (warmup > TimeSpan.Zero)
        {
            await LineDriver.RunAsync(socket, connections, depth, null, warmup, Line, Accepted);
        }

        return await LineDriver.RunAsync(socket, connections, depth, null, duration, Line, Accepted);
    }

    public static User[] ReadUsers(string path) => ReadUsers(ReadUsersFile(path));

    public static User[] ReadUsers((string Name, string Secret)[] users) =>
        [.. users.Select(u => new User(u.Name, new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(u.Secret), step: 1)))];

    private static async Task<DriverResult> DriveAsync(List<MfaHostClient> clients, User[][] slices, int depth, string plugin, TimeSpan duration)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(slices.Select((slice, w) => Task.Run(() => WorkerAsync(clients[w / depth], slice, w, plugin, deadline))));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        Array.Sort(latencies);
        return new DriverResult(latencies.LongLength, results.Sum(r => r.Errors), elapsed, latencies);
    }

    private static async Task<(List<long> Latencies, long Errors)> WorkerAsync(MfaHostClient client, User[] users, int worker, string plugin, long deadline)
    {
        var latencies = new List<long>(1 << 16);
        long errors = 0;
        long id = 0;
        var picker = new UserPicker(users);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (picker.Next() is not var (user, step))
            {
                await Task.Delay(1);
                continue;
            }

            var request = new AuthenticateParams
            {
                Plugin = plugin,
                SessionId = $"w{worker}-{id++ % 1024}",
                Username = user.Name,
                MfaPassword = user.Totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step).UtcDateTime),
            };
            var sent = Stopwatch.GetTimestamp();
            var result = await client.AuthenticateAsync(request);
            latencies.Add(Stopwatch.GetTimestamp() - sent);
            if (!result.IsAccept)
            {
                if (Interlocked.Increment(ref _reported) <= 5)
                {
                    Console.Error.WriteLine($"not accepted: {result}");
                }

                errors++;
            }
        }

        return (latencies, errors);
    }

    private static int _reported;

    /// <summary>
    /// Picks the next user of a caller's slice with an unused step among the current and the next one (1-second
    /// period), and marks that step used, so no code is ever sent twice.
    /// </summary>
    internal sealed class UserPicker(User[] users)
    {
        private int _next;

        public (User User, long Step)? Next()
        {
            var current = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            for (var tried = 0; tried < users.Length; tried++)
            {
                var candidate = users[_next];
                _next = (_next + 1) % users.Length;
                var step = Math.Max(candidate.LastStep + 1, current);
                if (step <= current + 1)
                {
                    candidate.LastStep = step;
                    return (candidate, step);
                }
            }

            return null;
        }
    }

    internal sealed class User(string name, OtpNet.Totp totp)
    {
        public string Name { get; } = name;

        public OtpNet.Totp Totp { get; } = totp;

        public long LastStep { get; set; } = long.MinValue / 2;
    }
}
