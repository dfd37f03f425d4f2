using System.Collections.Concurrent;
using System.Diagnostics;
using MfaHost.Client;

namespace MfaHost.Testing;

/// <summary>
/// The real <c>mfahost</c> program running as its own operating-system process, as a site runs it, on a temporary
/// configuration: a folder under /tmp with <c>config/mfahost.ini</c> (written as <see cref="RunningHost"/> writes it),
/// one <c>config/plugins/&lt;name&gt;.ini</c> per instance, its data folder and its socket. Talk to it through
/// <see cref="CreateClientAsync"/> or its own command line (<see cref="RunCliAsync"/>, also a process).
/// Its standard output and error are captured line by line in <see cref="Output"/> (and in <see cref="SuiteLog"/>,
/// so the run-wide secret check covers them). A process is killed when disposed, and every one still running is
/// killed when the test run's process exits, so a failed test leaves none behind.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private readonly TempDirectory _directory;
    private readonly Process _process;

    static HostProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Values)
            {
                Kill(process);
            }
        };
    }

    private HostProcess(TempDirectory directory, Process process, LogCapture output, string configPath, string socketPath)
    {
        _directory = directory;
        _process = process;
        Output = output;
        ConfigPath = configPath;
        SocketPath = socketPath;
    }

    /// <summary>The <c>mfahost</c> program of this build: the apphost that referencing the host project puts in the test's output folder.</summary>
    public static string Program => Path.Combine(NUnit.Framework.TestContext.CurrentContext.TestDirectory, "mfahost");

    /// <summary>The gateway socket.</summary>
    public string SocketPath { get; }

    /// <summary>The host configuration file.</summary>
    public string ConfigPath { get; }

    /// <summary>The process's temporary folder (removed on dispose).</summary>
    public string Directory => _directory.Path;

    /// <summary>The operating system's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Every line the process wrote to standard output or error so far.</summary>
    public LogCapture Output { get; }

    /// <summary>Starts the program and returns when its socket listens.</summary>
    /// <param name="pluginsDirectory">A folder of laid-out plugin folders (<c>plugins_dir</c>).</param>
    /// <param name="instances">Instance name → INI text of <c>plugins/&lt;name&gt;.ini</c>.</param>
    /// <param name="hostConfiguration">Extra <c>mfahost.ini</c> lines, as for <see cref="RunningHost.StartAsync"/>; logging is at info unless they say otherwise.</param>
    /// <param name="cancellationToken">Cancels the wait (the process is then killed).</param>
    /// <exception cref="InvalidOperationException">The program exited or did not listen in time (its output is in the message).</exception>
    public static async Task<HostProcess> StartAsync(
        string pluginsDirectory, IReadOnlyDictionary<string, string> instances, string? hostConfiguration = null, CancellationToken cancellationToken = default)
    {
        var host = Launch(pluginsDirectory, instances, hostConfiguration);
        try
        {
            await host.WaitUntilListeningAsync(cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts several at the same moment (all configured first, then all launched) and returns when all listen.</summary>
    public static async Task<IReadOnlyList<HostProcess>> StartManyAsync(
        int count, string pluginsDirectory, IReadOnlyDictionary<string, string> instances, string? hostConfiguration = null, CancellationToken cancellationToken = default)
    {
        var prepared = Enumerable.Range(0, count).Select(_ => Prepare(pluginsDirectory, instances, hostConfiguration)).ToList();
        var hosts = prepared.Select(p => p.Launch()).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => h.WaitUntilListeningAsync(cancellationToken)));
            return hosts;
        }
        catch
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Runs <see cref="Program"/> (the real command line, as a process) with <paramref name="args"/>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="input">Standard input.</param>
    /// <param name="limit">How long it may run before it is killed and the test fails (default 60 s).</param>
    /// <param name="cancellationToken">Cancels the wait (the process is then killed).</param>
    public static async Task<CliResult> RunProgramAsync(IEnumerable<string> args, string? input = null, TimeSpan? limit = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(Program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Program}");
        Running[process.Id] = process;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardInput.WriteAsync(input ?? string.Empty);
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(limit ?? TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"mfahost {string.Join(' ', start.ArgumentList)} did not exit within {limit ?? TimeSpan.FromSeconds(60)}");
            }

            var result = new CliResult(process.ExitCode, await output, await error);
            SuiteLog.Append(result.Output);
            SuiteLog.Append(result.Error);
            return result;
        }
        finally
        {
            Kill(process);
            Running.TryRemove(process.Id, out _);
        }
    }

    /// <summary>A client connected to the host's socket.</summary>
    public Task<MfaHostClient> CreateClientAsync(CancellationToken cancellationToken = default) =>
        MfaHostClient.ConnectAsync(SocketPath, cancellationToken);

    /// <summary>Runs the real command line (a process) with <c>--config</c> of this host added unless <paramref name="args"/> has one.</summary>
    public Task<CliResult> RunCliAsync(IEnumerable<string> args, string? input = null, CancellationToken cancellationToken = default)
    {
        var list = args.ToList();
        if (!list.Contains("--config") && !list.Contains("-c"))
        {
            list.AddRange(["--config", ConfigPath]);
        }

        return RunProgramAsync(list, input, cancellationToken: cancellationToken);
    }

    /// <summary>Kills the process (and anything it started), waits for it, and removes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            Kill(_process);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            Running.TryRemove(_process.Id, out _);
            _process.Dispose();
            _directory.Dispose();
        }
    }

    private static HostProcess Launch(string pluginsDirectory, IReadOnlyDictionary<string, string> instances, string? hostConfiguration) =>
        Prepare(pluginsDirectory, instances, hostConfiguration).Launch();

    private static Prepared Prepare(string pluginsDirectory, IReadOnlyDictionary<string, string> instances, string? hostConfiguration)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var directory = new TempDirectory();
        var socketPath = directory.Combine("run", "mfahost.sock");
        foreach (var (name, ini) in instances)
        {
            directory.Write($"config/plugins/{name}.ini", ini);
        }

        System.IO.Directory.CreateDirectory(directory.Combine("config", "plugins"));
        var configuration = "[logging]\nlog_level = info\n" + (hostConfiguration ?? string.Empty);
        var configPath = directory.Write("config/mfahost.ini", RunningHost.HostIni(socketPath, Path.GetFullPath(pluginsDirectory), configuration));
        return new Prepared(directory, configPath, socketPath);
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var listening = Output.WaitForAsync(l => l.Contains("Listening on " + SocketPath, StringComparison.Ordinal), StartLimit);
        var exited = _process.WaitForExitAsync(cancellationToken);
        if (await Task.WhenAny(listening, exited) != listening || !listening.IsCompletedSuccessfully)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var how = _process.HasExited ? $"exited with {_process.ExitCode}" : $"did not listen within {StartLimit.TotalSeconds} s";
            throw new InvalidOperationException($"mfahost --config {ConfigPath} {how}; its output:\n{string.Join("\n", Output.Lines)}");
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    private sealed record Prepared(TempDirectory Directory, string ConfigPath, string SocketPath)
    {
        public HostProcess Launch()
        {
            var start = new ProcessStartInfo(Program, ["--config", ConfigPath])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Directory.Path,
            };
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Program}");
            }
            catch
            {
                Directory.Dispose();
                throw;
            }

            Running[process.Id] = process;
            var output = new LogCapture();
            process.OutputDataReceived += (_, e) => Collect(output, e.Data);
            process.ErrorDataReceived += (_, e) => Collect(output, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return new HostProcess(Directory, process, output, ConfigPath, SocketPath);
        }

        private static void Collect(LogCapture output, string? line)
        {
            if (line is not null)
            {
                output.Add(line);
            }
        }
    }
}
