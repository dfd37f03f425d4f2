using MfaHost.Cli;
using MfaHost.Client;
using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Reload;
using MfaHost.PluginSdk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MfaHost.Plugins;

namespace MfaHost.Testing;

/// <summary>
/// A real MfaHost, in process, on a temporary configuration: its own folder under /tmp, a host file,
/// one INI file per plugin instance, plugins from a laid-out plugins folder, and the gateway socket.
/// Talk to it with <see cref="CreateClientAsync"/> (or a raw socket at <see cref="SocketPath"/>), or
/// run the real command line against it with <see cref="RunCliAsync"/>.
/// </summary>
/// <example>
/// <code>
/// await using var host = await RunningHost.StartAsync(pluginsDir, new Dictionary&lt;string, string&gt; { ["totp"] = "[plugin]\ntype = totp\n" });
/// await using var client = await host.CreateClientAsync();
/// var result = await client.AuthenticateAsync(new() { Plugin = "totp", SessionId = "s1", Username = "alice" });
/// </code>
/// </example>
public sealed class RunningHost : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly IHost _host;
    private readonly LogCapture _logs;
    private int _stopped;

    private RunningHost(TempDirectory directory, IHost host, LogCapture logs, string configPath, string socketPath)
    {
        _directory = directory;
        _host = host;
        _logs = logs;
        ConfigPath = configPath;
        SocketPath = socketPath;
    }

    /// <summary>The gateway socket.</summary>
    public string SocketPath { get; }

    /// <summary>The host configuration file (<c>mfahost.ini</c>); instance files are in <c>plugins/</c> next to it.</summary>
    public string ConfigPath { get; }

    /// <summary>The host's temporary folder (removed on dispose).</summary>
    public string Directory => _directory.Path;

    /// <summary>The host's services (for example a FakeTimeProvider given in the overrides).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Every log line so far, all levels including Debug and Trace.</summary>
    public IReadOnlyList<string> Logs => _logs.Lines;

    /// <summary>The log capture, to wait for a line.</summary>
    public LogCapture LogCapture => _logs;

    /// <summary>
    /// Writes the configuration and starts the host; returns when the socket listens.
    /// </summary>
    /// <param name="pluginsDirectory">A folder of laid-out plugin folders (<c>plugins_dir</c>).</param>
    /// <param name="instances">Instance name → INI text of <c>plugins/&lt;name&gt;.ini</c>.</param>
    /// <param name="hostConfiguration">
    /// Extra lines for <c>mfahost.ini</c>: lines before any section header go to <c>[host]</c> and replace the
    /// defaults of the same option; further sections (e.g. <c>[access]</c>) may follow.
    /// </param>
    /// <param name="services">Service overrides, applied last (e.g. a FakeTimeProvider as <see cref="TimeProvider"/>).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="InvalidOperationException">The configuration has errors (listed in the message).</exception>
    public static async Task<RunningHost> StartAsync(
        string pluginsDirectory,
        IReadOnlyDictionary<string, string> instances,
        string? hostConfiguration = null,
        Action<IServiceCollection>? services = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var directory = new TempDirectory();
        try
        {
            var socketPath = directory.Combine("run", "mfahost.sock");
            foreach (var (name, ini) in instances)
            {
                directory.Write($"config/plugins/{name}.ini", ini);
            }

            System.IO.Directory.CreateDirectory(directory.Combine("config", "plugins"));
            var configPath = directory.Write("config/mfahost.ini", HostIni(socketPath, Path.GetFullPath(pluginsDirectory), hostConfiguration));
            var snapshot = ConfigurationSnapshotLoader.Load(configPath, null, TimeProvider.System);
            if (!snapshot.IsValid)
            {
                snapshot.ReleaseUnusedPackages();
                ThrowOnErrors(snapshot.Errors);
            }

            var settings = snapshot.Host;
            var logs = new LogCapture();
            var host = HostComposition.Build(snapshot, s =>
            {
                s.RemoveAll<ILoggerProvider>();
                s.AddSingleton<ILoggerProvider>(logs);
                s.Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Trace);
                s.AddSingleton<IHostLifetime, NoSignalLifetime>();
                services?.Invoke(s);
            });
            try
            {
                // As at start-up of the real host: plugins load (and instance files are checked) before the socket opens.
                ThrowOnErrors(host.Services.GetRequiredService<ConfigurationReloader>().Activate(snapshot));
                await host.StartAsync(cancellationToken);
            }
            catch
            {
                host.Dispose();
                throw;
            }

            return new RunningHost(directory, host, logs, configPath, settings.SocketPath);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>A client connected to the host's socket.</summary>
    public Task<MfaHostClient> CreateClientAsync(CancellationToken cancellationToken = default) =>
        MfaHostClient.ConnectAsync(SocketPath, cancellationToken);

    /// <summary>
    /// Runs the real <c>mfahost</c> command line in process, with <c>--config</c> of this host added unless
    /// <paramref name="args"/> has one; <paramref name="input"/> is its standard input.
    /// </summary>
    public async Task<CliResult> RunCliAsync(IEnumerable<string> args, string? input = null, CancellationToken cancellationToken = default)
    {
        var list = args.ToList();
        if (!list.Contains("--config") && !list.Contains("-c"))
        {
            list.AddRange(["--config", ConfigPath]);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = new StringReader(input ?? string.Empty);
        var exitCode = await MfaHostCli.InvokeAsync([.. list], new CliConsole(output, error, reader), cancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Stops the host as SIGTERM does: the socket closes, requests in flight get up to <c>shutdown_timeout</c>,
    /// the rest are cancelled, the socket file is removed.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _host.StopAsync(cancellationToken);
        }
    }

    /// <summary>Stops the host and removes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (_host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                _host.Dispose();
            }

            _directory.Dispose();
        }
    }

    private static void ThrowOnErrors(IReadOnlyList<MfaConfigurationException> errors)
    {
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("the test host's configuration has errors:\n" + string.Join("\n", errors.Select(e => e.Message)));
        }
    }

    /// <summary>The text of <c>mfahost.ini</c>: the test defaults, with <paramref name="extra"/> merged over them (see <see cref="StartAsync"/>).</summary>
    internal static string HostIni(string socketPath, string pluginsDirectory, string? extra)
    {
        var sections = new List<(string Name, List<(string Key, string Line)> Lines)>
        {
            ("host", [
                ("socket", $"socket = {socketPath}"),
                ("plugins_dir", $"plugins_dir = {pluginsDirectory}"),
                ("plugin_config_dir", "plugin_config_dir = plugins"),
                ("data_dir", "data_dir = data"),
                ("shutdown_timeout", "shutdown_timeout = 5"),
            ]),
            ("logging", [("log_level", "log_level = trace")]),
        };
        var current = sections[0];
        foreach (var raw in (extra ?? string.Empty).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is ';' or '#')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                var name = line[1..^1].Trim();
                var existing = sections.FindIndex(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
                if (existing < 0)
                {
                    sections.Add((name, []));
                    existing = sections.Count - 1;
                }

                current = sections[existing];
                continue;
            }

            var key = line.Split('=', 2)[0].Trim();
            current.Lines.RemoveAll(l => string.Equals(l.Key, key, StringComparison.OrdinalIgnoreCase));
            current.Lines.Add((key, line));
        }

        return string.Join("\n", sections.Select(s => $"[{s.Name}]\n" + string.Join("\n", s.Lines.Select(l => l.Line)))) + "\n";
    }

    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
