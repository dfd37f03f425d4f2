using Microsoft.Extensions.Logging;

namespace MfaHost.Configuration;

/// <summary>The host's own configuration (<c>mfahost.ini</c>), validated and immutable.</summary>
internal sealed record HostSettings
{
    /// <summary>The host INI file that was read.</summary>
    public required string ConfigFile { get; init; }

    /// <summary>The folder of <see cref="ConfigFile"/>; relative paths resolve against it.</summary>
    public required string ConfigDirectory { get; init; }

    public required string SocketPath { get; init; }

    /// <summary>Unix file mode of the socket, e.g. 0660.</summary>
    public UnixFileMode SocketMode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    public required string PluginsDirectory { get; init; }

    public required string PluginConfigDirectory { get; init; }

    public required string DataDirectory { get; init; }

    public string? CredentialsFile { get; init; }

    public int MaxFrameBytes { get; init; } = 65536;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConversationTimeout { get; init; } = TimeSpan.FromSeconds(300);

    public int MaxInFlight { get; init; } = 10000;

    /// <summary>Gateway connections open at once at most; another is accepted, told why and closed.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>Requests of one connection running or with an answer not yet written, at most; beyond it the host stops reading that connection.</summary>
    public int MaxInFlightPerConnection { get; init; } = 1000;

    /// <summary>A connection with nothing in flight that sends no request for this long, or that reads none of its answers for this long, is closed.</summary>
    public TimeSpan ConnectionIdleTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>A line must arrive whole within this time of its first byte, or the connection is closed.</summary>
    public TimeSpan FrameTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A session unused for this long is ended as if the gateway had sent <c>session_ended</c>.</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Sessions the host tracks at most; beyond it the least recently used are ended.</summary>
    public int MaxSessions { get; init; } = 100_000;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary><c>[host] watch</c>: reload by itself when files under the plugin and configuration folders change.</summary>
    public bool Watch { get; init; }

    /// <summary><c>[host] drain_timeout</c>: how long a replaced or removed instance may finish its requests and conversations.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary><c>[access]</c>: which peer uids may call which methods.</summary>
    public MfaHost.Configuration.AccessRules Access { get; init; } = MfaHost.Configuration.AccessRules.Default;

    /// <summary><c>[audit]</c>: the audit trail.</summary>
    public MfaHost.Configuration.AuditSettings Audit { get; init; } = MfaHost.Configuration.AuditSettings.Off;

    /// <summary><c>[tokens]</c> and <c>[tickets]</c>.</summary>
    public MfaHost.Configuration.TicketSettings Tickets { get; init; } = new();

    /// <summary><c>[state]</c>: the state backend (SQLite in data_dir, or a shared PostgreSQL).</summary>
    public MfaHost.Configuration.StateSettings State { get; init; } = new();

    /// <summary><c>[metrics]</c>: the Prometheus endpoint and status page.</summary>
    public MfaHost.Configuration.MetricsSettings Metrics { get; init; } = new();
}
