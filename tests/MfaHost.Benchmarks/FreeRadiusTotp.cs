using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace MfaHost.Benchmarks;

/// <summary>
/// A private FreeRADIUS 3.2 instance with <c>rlm_totp</c> for the comparison scenario (<c>totp-compare</c>): its own
/// configuration folder in a temp directory, listening on 127.0.0.1 at a free UDP port, started in the foreground
/// (<c>freeradius -f -d DIR</c>, threaded as in production, not <c>-X</c>), the users and secrets of the host's totp
/// benchmark in its <c>users</c> file. The system's FreeRADIUS service and configuration are never touched.
/// </summary>
/// <remarks>
/// <c>rlm_totp</c> in 3.2 takes no options: 30-second steps, 6 digits, SHA-1, only the current step, and no replay
/// check. The code travels in <c>User-Password</c> and is copied to <c>TOTP-Password</c> in <c>authorize</c>.
/// </remarks>
internal sealed class FreeRadiusTotp : IAsyncDisposable
{
    public const int Period = 30;

    private readonly DirectoryInfo _directory;
    private readonly Process _process;

    private FreeRadiusTotp(DirectoryInfo directory, Process process, int port, string sharedSecret)
    {
        _directory = directory;
        _process = process;
        Port = port;
        SharedSecret = sharedSecret;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public string SharedSecret { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public string LogFile => Path.Combine(_directory.FullName, "radius.log");

    /// <summary>Writes the configuration for <paramref name="users"/> (name, Base32 secret) and starts the server.</summary>
    public static async Task<FreeRadiusTotp> StartAsync(string executable, IReadOnlyList<(string Name, string Secret)> users)
    {
        var directory = Directory.CreateTempSubdirectory("mfahost-freeradius-");
        var dir = directory.FullName;
        var port = FreeUdpPort();
        var sharedSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        Directory.CreateDirectory(Path.Combine(dir, "run"));
        await File.WriteAllTextAsync(Path.Combine(dir, "dictionary"), "");
        var usersFile = new StringBuilder(users.Count * 64);
        foreach (var (name, secret) in users)
        {
            usersFile.Append(CultureInfo.InvariantCulture, $"{name} TOTP-Secret := \"{secret}\", Auth-Type := totp\n");
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "users"), usersFile.ToString());
        await File.WriteAllTextAsync(Path.Combine(dir, "radiusd.conf"), $$"""
            prefix = /usr
            exec_prefix = /usr
            sysconfdir = /etc
            localstatedir = {{dir}}
            sbindir = /usr/sbin
            logdir = {{dir}}
            raddbdir = {{dir}}
            radacctdir = {{dir}}
            name = radiusd
            confdir = {{dir}}
            modconfdir = {{dir}}
            run_dir = {{dir}}/run
            db_dir = {{dir}}
            libdir = /usr/lib/freeradius
            pidfile = {{dir}}/run/radiusd.pid
            max_request_time = 30
            cleanup_delay = 5
            max_requests = 65536
            hostname_lookups = no
            log {
                destination = files
                file = {{dir}}/radius.log
                auth = no
            }
            security {
                allow_core_dumps = no
                max_attributes = 200
                reject_delay = 0
                status_server = no
            }
            thread pool {
                start_servers = 5
                max_servers = 32
                min_spare_servers = 3
                max_spare_servers = 10
                max_requests_per_server = 0
            }
            client bench {
                ipaddr = 127.0.0.1
                secret = {{sharedSecret}}
            }
            modules {
                files {
                    filename = {{dir}}/users
                }
                totp {
                }
            }
            server default {
                listen {
                    type = auth
                    ipaddr = 127.0.0.1
                    port = {{port}}
                    # 4 MB (capped by net.core.rmem_max): with 4 x 64 requests outstanding from radclient the default
                    # 208 KB overflowed on a busy machine, and every dropped request stalled radclient for its timeout.
                    recv_buff = 4194304
                }
                authorize {
                    files
                    update request {
                        &TOTP-Password := &User-Password
                    }
                }
                authenticate {
                    Auth-Type totp {
                        totp
                    }
                }
            }
            """ + "\n");

        var start = new ProcessStartInfo(executable, ["-f", "-d", dir, "-n", "radiusd"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return new FreeRadiusTotp(directory, process, port, sharedSecret);
    }

    /// <summary>
    /// Waits until the server answers, with <c>radclient</c>: a valid code must be accepted and a wrong one rejected
    /// (so the figures below are of a server that really checks codes).
    /// </summary>
    public async Task CheckWithRadclientAsync(string radclient, string user, Func<long, string> codeAtStep, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"freeradius exited with code {_process.ExitCode}; see {LogFile}:\n{Tail()}");
            }

            var code = codeAtStep(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / Period);
            var answer = await RadclientAsync(radclient, user, code);
            if (answer.Contains("Access-Accept", StringComparison.Ordinal))
            {
                break;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"freeradius did not accept a valid code within {timeout.TotalSeconds} s: {answer.Trim()}\n{Tail()}");
            }

            await Task.Delay(500);
        }

        var wrong = await RadclientAsync(radclient, user, "000000x");
        if (!wrong.Contains("Access-Reject", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"freeradius did not reject a wrong code: {wrong.Trim()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Delete(recursive: true);
    }

    private async Task<string> RadclientAsync(string radclient, string user, string code)
    {
        var start = new ProcessStartInfo(radclient, ["-r", "1", "-t", "2", $"127.0.0.1:{Port}", "auth", SharedSecret])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {radclient}");
        await process.StandardInput.WriteLineAsync($"User-Name = \"{user}\", User-Password = \"{code}\"");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await output + await error;
    }

    private string Tail() =>
        File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(10)) : "(no log written)";

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
