using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MfaHost.Client;
using MfaHost.Testing;

namespace MfaHost.Tests.Systemd;

/// <summary>
/// The real <c>mfahost</c> process under a fake service manager: the test binds the unix datagram socket that
/// systemd would pass as <c>NOTIFY_SOCKET</c> and reads what the host tells it.
/// </summary>
[TestFixture]
public sealed class SystemdNotifyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Ready_once_the_socket_accepts_then_watchdog_pings_and_stopping_on_sigterm()
    {
        using var directory = new TempDirectory();
        var socketPath = directory.Combine("run", "mfahost.sock");
        var config = directory.Write("mfahost.ini", $"[host]\nsocket = {socketPath}\ndata_dir = data\n");
        Directory.CreateDirectory(directory.Combine("plugins"));
        var notifyPath = directory.Combine("notify");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));

        var start = new ProcessStartInfo(HostBuildOutput.Program, ["run", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NOTIFY_SOCKET"] = notifyPath;
        start.Environment["WATCHDOG_USEC"] = "400000";
        start.Environment["JOURNAL_STREAM"] = "8:4242";
        start.Environment.Remove("WATCHDOG_PID");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var log = process.StandardError.ReadToEndAsync();
        try
        {
            // Nothing before READY=1, and when it comes the gateway socket accepts and answers at once.
            var first = await ReceiveAsync(notify);
            Assert.That(first, Does.StartWith("READY=1\n"));
            await using (var client = await MfaHostClient.ConnectAsync(socketPath))
            {
                Assert.That((await client.HealthAsync()).Status, Is.EqualTo("ok"));
            }

            Assert.That(await ReceiveAsync(notify), Is.EqualTo("WATCHDOG=1"));
            Assert.That(await ReceiveAsync(notify), Is.EqualTo("WATCHDOG=1"));

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            string next;
            do
            {
                next = await ReceiveAsync(notify);
            }
            while (next == "WATCHDOG=1");
            Assert.That(next, Does.StartWith("STOPPING=1"));

            await process.WaitForExitAsync(new CancellationTokenSource(Patience).Token);
            Assert.That(process.ExitCode, Is.Zero, await log);
            Assert.That(File.Exists(socketPath), Is.False, "the socket file is removed at stop");

            // Under journald (JOURNAL_STREAM set) each line starts with its syslog level, without a time stamp.
            var lines = (await log).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Has.Some.Match(@"^<6>MfaHost\.Protocol\[\d+\] Listening on "));
            Assert.That(lines, Has.All.Match(@"^<\d>"));
            _ = await output;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Patience);
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received);
    }
}
