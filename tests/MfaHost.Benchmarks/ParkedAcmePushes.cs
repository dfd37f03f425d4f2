using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using MfaHost.Plugins.Acme.Tests.TestServer;

namespace MfaHost.Benchmarks;

/// <summary>
/// <c>park-acme</c>: COUNT pushes parked in the <c>acme</c> plugin against the loopback Acme test server
/// (in this process), with a host it starts itself. The service decides nothing while <c>health</c>,
/// memory, file handles and sockets are measured; then every even user approves, and every odd push must
/// end DENY <c>timeout</c> at <c>push_timeout</c>.
/// </summary>
internal static class ParkedAcmePushes
{
    public static async Task<int> RunAsync(Options options)
    {
        var directory = options.Required("dir");
        var count = options.Int("count", 10000);
        var connections = options.Int("connections", 20);
        var pollInterval = options.Int("poll-interval", 30);
        var pushTimeout = options.Int("push-timeout", 60);
        var batch = options.Int("status-batch", 1);
        var maxConnections = options.Int("max-connections", 32);
        var hostDll = options.Get("host", Path.Combine(AppContext.BaseDirectory, "mfahost.dll"));

        await using var server = await AcmeTestServer.StartAsync();
        for (var k = 0; k < count; k++)
        {
            server.SetUser(ParkRun.UserOf(k), new AcmeUser { Push = PushDecision.Never });
        }

        BenchConfiguration.Write(directory);
        File.WriteAllText(Path.Combine(directory, "plugins", "acme.ini"), $"""
            [plugin]
            type = acme
            [acme]
            server_url = {server.BaseUrl}
            token = $
            request_timeout = 10
            poll_interval = {pollInterval}
            push_timeout = {pushTimeout}
            status_batch = {batch}
            [http]
            max_connections = {maxConnections}
            """ + "\n");
        Console.WriteLine($"acme: {server.BaseUrl}, poll_interval {pollInterval} s, push_timeout {pushTimeout} s, status_batch {batch}, [http] max_connections {maxConnections}");

        var socketPath = Path.Combine(directory, "run", "mfahost.sock");
        using var host = StartHost(hostDll, Path.Combine(directory, "mfahost.ini"), server.Token);
        try
        {
            await WaitForSocketAsync(socketPath, host);
            var run = new ParkRun(socketPath, "acme", count, connections, options.Double("health-seconds") ?? 20, host.Id);
            var answers = await run.ParkAsync(whileParked: () =>
            {
                Console.WriteLine($"host sockets to the service: {SocketsTo(host.Id, server.BaseUrl.Port)} open; the service saw {server.ConnectionsSeen} connection(s) so far; " +
                    $"{server.Requests.Count(r => r.Method == "POST" && r.Path == "/push"):N0} pushes started, {server.Count("GET", "/push/"):N0} single polls, {server.Count("POST", "/push/status"):N0} batch polls");
                for (var k = 0; k < count; k += 2)
                {
                    server.SetUser(ParkRun.UserOf(k), new AcmeUser { Push = PushDecision.Approve });
                }

                Console.WriteLine("the service now approves every even user's push; odd ones stay undecided until push_timeout");
                return Task.CompletedTask;
            });
            Console.WriteLine($"the service saw {server.ConnectionsSeen} connection(s) in all; {server.Count("GET", "/push/"):N0} single polls, {server.Count("POST", "/push/status"):N0} batch polls");
            return ParkRun.Report(answers, k => k % 2 == 0 ? ("ACCEPT", null) : ("DENY", "timeout"));
        }
        finally
        {
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
        }
    }

    private static Process StartHost(string hostDll, string config, string token)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        start.ArgumentList.Add(hostDll);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        start.Environment["MFAHOST_ACME_ACME_TOKEN"] = token;
        return Process.Start(start) ?? throw new InvalidOperationException("cannot start the host");
    }

    private static async Task WaitForSocketAsync(string socketPath, Process host)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (host.HasExited)
            {
                throw new InvalidOperationException($"the host exited with {host.ExitCode}");
            }

            try
            {
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }

        throw new TimeoutException("the host's socket did not appear within 60 s");
    }

    // The host's TCP sockets whose remote port is the service's: its descriptors' inodes matched in /proc/PID/net/tcp{,6}.
    private static int SocketsTo(int pid, int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target[8..^1]);
                }
            }
            catch (IOException)
            {
                // Closed while we looked.
            }
        }

        var hexPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        var count = 0;
        foreach (var table in new[] { $"/proc/{pid}/net/tcp", $"/proc/{pid}/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[2].EndsWith(hexPort, StringComparison.Ordinal) && inodes.Contains(fields[9]))
                {
                    count++;
                }
            }
        }

        return count;
    }
}
