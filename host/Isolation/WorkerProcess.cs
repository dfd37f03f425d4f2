using System.Diagnostics;
using System.Globalization;
using MfaHost.Configuration;

namespace MfaHost.Isolation;

/// <summary>
/// One running <c>mfahost plugin-worker</c> process: the protocol on its standard input and output, its standard
/// error read line by line for the host's log. Knows how it ended (exit code or signal, and what it printed first).
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private const int FirstLinesKept = 3;

    // A stack overflow prints hundreds of frames: the first lines tell what happened, the rest would flood the log.
    private const int LinesLogged = 40;

    private readonly Process _process;
    private readonly Task _stderr;
    private readonly List<string> _firstLines = [];
    private readonly Action<string> _onStderrLine;
    private int _linesSeen;

    private WorkerProcess(Process process, RpcPeer.Handler handler, Action<string> onStderrLine, Action<string> onBadLine)
    {
        _process = process;
        Pid = process.Id;
        _onStderrLine = onStderrLine;
        Peer = new RpcPeer(process.StandardOutput.BaseStream, process.StandardInput.BaseStream, handler, onBadLine);
        Exited = process.WaitForExitAsync();
        _stderr = Task.Run(ReadStandardErrorAsync);
    }

    public RpcPeer Peer { get; }

    public int Pid { get; }

    /// <summary>Set once the supervisor no longer serves requests with this worker.</summary>
    public bool Detached { get; set; }

    /// <summary>Set once the supervisor has ended this worker and scheduled the next.</summary>
    public bool Ended { get; set; }

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited { get; }

    public static WorkerProcess Start(string configPath, string instanceName, IsolationSettings settings, RpcPeer.Handler handler, Action<string> onStderrLine, Action<string> onBadLine)
    {
        var (program, prefix) = Program();
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in prefix.Concat(["plugin-worker", "--config", configPath, "--instance", instanceName]))
        {
            start.ArgumentList.Add(argument);
        }

        if (settings.MaxMemoryMegabytes is { } megabytes)
        {
            // The managed heap cannot outgrow the limit: an allocation past it fails (and the worker restarts) instead of
            // the machine swapping until the host's next look at the worker's resident memory.
            start.Environment["DOTNET_GCHeapHardLimit"] = ((long)megabytes * 1024 * 1024).ToString("X", CultureInfo.InvariantCulture);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new WorkerUnavailableException($"{program} did not start");
        return new WorkerProcess(process, handler, onStderrLine, onBadLine);
    }

    /// <summary>The worker's resident memory in bytes (Linux <c>/proc</c>); null when it cannot be read.</summary>
    public long? ResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var digits = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(digits, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
        }

        return null;
    }

    /// <summary>How the process ended, for the log and <c>plugins</c>: the exit code or signal, and the first thing it printed.</summary>
    public string DescribeExit()
    {
        var how = "its link to the host closed";
        if (_process.HasExited)
        {
            var code = _process.ExitCode;
            how = code > 128 && code < 160
                ? $"it was killed by signal {code - 128}{SignalName(code - 128)}"
                : $"it exited with code {code}";
        }

        string? first;
        lock (_firstLines)
        {
            // .NET writes "Process terminated." (or "Stack overflow.") and the message on the next line.
            first = _firstLines.Count == 0 ? null : string.Join(" ", _firstLines.Take(2));
        }

        return first is null ? how : $"{how}: {first}";
    }

    /// <summary>Ends the process at once.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    /// <summary>Asks the worker to finish (its input is closed: it disposes the plugin and exits), killing it after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Peer.Close("the host stopped the worker");
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        try
        {
            await Exited.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Peer.DisposeAsync();
        try
        {
            await Exited.WaitAsync(TimeSpan.FromSeconds(5));
            await _stderr.WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (TimeoutException)
        {
        }

        _process.Dispose();
    }

    private async Task ReadStandardErrorAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                lock (_firstLines)
                {
                    if (_firstLines.Count < FirstLinesKept)
                    {
                        _firstLines.Add(line.Trim());
                    }
                }

                var seen = ++_linesSeen;
                if (seen <= LinesLogged)
                {
                    _onStderrLine(line);
                }
                else if (seen == LinesLogged + 1)
                {
                    _onStderrLine($"(further lines of worker process {Pid} are not logged)");
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private static string SignalName(int signal) => signal switch
    {
        6 => " (SIGABRT)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => string.Empty,
    };

    /// <summary>This program: the <c>mfahost</c> apphost, or <c>dotnet mfahost.dll</c> when the host itself runs under <c>dotnet</c>.</summary>
    private static (string Program, string[] Prefix) Program()
    {
        var self = Environment.ProcessPath ?? string.Empty;
        var directory = AppContext.BaseDirectory;
        if (Path.GetFileNameWithoutExtension(self) == "mfahost")
        {
            return (self, []);
        }

        var dll = Path.Combine(directory, "mfahost.dll");
        if (Path.GetFileNameWithoutExtension(self) == "dotnet" && File.Exists(dll))
        {
            return (self, [dll]);
        }

        return (Path.Combine(directory, "mfahost"), []);
    }
}
