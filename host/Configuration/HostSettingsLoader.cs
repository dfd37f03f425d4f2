using System.Globalization;
using MfaHost.Audit;
using MfaHost.Tickets;
using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>Reads and validates <c>mfahost.ini</c>, collecting every problem rather than stopping at the first.</summary>
internal static class HostSettingsLoader
{
    public const string DefaultFileName = "mfahost.ini";

    /// <summary>The host file used when no <c>--config</c> is given: <c>MFAHOST_CONFIG</c>, else the one shipped next to the binary.</summary>
    public static string DefaultConfigPath() =>
        Environment.GetEnvironmentVariable("MFAHOST_CONFIG") is { Length: > 0 } fromEnvironment
            ? Path.GetFullPath(fromEnvironment)
            : Path.Combine(AppContext.BaseDirectory, "config", DefaultFileName);

    public static HostSettings Load(string path, ICollection<MfaConfigurationException> errors)
    {
        var file = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(file) ?? ".";
        var fallback = new HostSettings
        {
            ConfigFile = file,
            ConfigDirectory = directory,
            SocketPath = Path.Combine(directory, "run", "mfahost.sock"),
            PluginsDirectory = Path.Combine(AppContext.BaseDirectory, "plugins"),
            PluginConfigDirectory = Path.Combine(directory, "plugins"),
            DataDirectory = Path.Combine(directory, "data"),
        };

        PluginConfiguration configuration;
        Microsoft.Extensions.Configuration.IConfigurationRoot root;
        try
        {
            root = IniFile.Load(file);
            configuration = new PluginConfiguration(root, file, NoCredentials.Instance);
        }
        catch (MfaConfigurationException e)
        {
            errors.Add(e);
            return fallback;
        }

        foreach (var unknown in HostFileOptions.FindUnknown(configuration))
        {
            errors.Add(unknown);
        }

        var host = configuration.Section("host");
        var logging = configuration.Section("logging");
        T Read<T>(Func<T> read, T otherwise)
        {
            try
            {
                return read();
            }
            catch (MfaConfigurationException e)
            {
                errors.Add(e);
                return otherwise;
            }
        }

        string PathOf(IniSection section, string option, string otherwise) =>
            Read(() => section.GetString(option) is { } p ? Path.GetFullPath(p, directory) : otherwise, otherwise);

        var settings = fallback with
        {
            SocketPath = PathOf(host, "socket", fallback.SocketPath),
            SocketMode = Read(() => ParseMode(host), fallback.SocketMode),
            PluginsDirectory = PathOf(host, "plugins_dir", fallback.PluginsDirectory),
            PluginConfigDirectory = PathOf(host, "plugin_config_dir", fallback.PluginConfigDirectory),
            DataDirectory = PathOf(host, "data_dir", fallback.DataDirectory),
            CredentialsFile = Read(() => host.GetString("credentials_file") is { } p ? Path.GetFullPath(p, directory) : null, null),
            MaxFrameBytes = Read(() => host.GetInt("max_frame_bytes", 65536, 1024, 16 * 1024 * 1024), 65536),
            RequestTimeout = Read(() => host.GetSeconds("request_timeout", TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(120)),
            ShutdownTimeout = Read(() => host.GetSeconds("shutdown_timeout", TimeSpan.FromSeconds(30)), TimeSpan.FromSeconds(30)),
            ConversationTimeout = Read(() => host.GetSeconds("conversation_timeout", TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(300)),
            MaxInFlight = Read(() => host.GetInt("max_in_flight", 10000, 1), 10000),
            MaxConnections = Read(() => host.GetInt("max_connections", 1024, 1, 1_000_000), 1024),
            MaxInFlightPerConnection = Read(() => host.GetInt("max_in_flight_per_connection", 1000, 1, 1_000_000), 1000),
            ConnectionIdleTimeout = Read(() => host.GetSeconds("connection_idle_timeout", TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(0.1), TimeSpan.FromDays(1)), TimeSpan.FromSeconds(300)),
            FrameTimeout = Read(() => host.GetSeconds("frame_timeout", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(0.1), TimeSpan.FromHours(1)), TimeSpan.FromSeconds(10)),
            MaxSessions = Read(() => host.GetInt("max_sessions", 100_000, 100), 100_000),
            SessionIdleTimeout = Read(() => host.GetSeconds("session_idle_timeout", TimeSpan.FromHours(24), TimeSpan.FromMinutes(1), TimeSpan.FromDays(30)), TimeSpan.FromHours(24)),
            LogLevel = Read(() => LogLevels.Parse(logging, "log_level"), Microsoft.Extensions.Logging.LogLevel.Information),
            Watch = Read(() => host.GetBool("watch", false), false),
            DrainTimeout = Read(() => host.GetSeconds("drain_timeout", TimeSpan.FromSeconds(120), TimeSpan.Zero, TimeSpan.FromHours(1)), TimeSpan.FromSeconds(120)),
        };

        var credentialsStore = new HostCredentialStore("host", LoadCredentials(settings.CredentialsFile, errors));
        settings = settings with
        {
            Access = Read(() => AccessRulesLoader.Load(configuration.Section("access")), AccessRules.Default),
            Tickets = Read(() => LoadTickets(new PluginConfiguration(root, file, credentialsStore)), new TicketSettings()),
            Audit = Read(() => AuditSettings.Read(new PluginConfiguration(root, file, credentialsStore).Section("audit"), credentialsStore, directory, settings.DataDirectory), AuditSettings.Off),
            State = Read(() => MfaHost.Configuration.StateSettings.Read(new PluginConfiguration(root, file, credentialsStore).Section("state")), new MfaHost.Configuration.StateSettings()),
            Metrics = Read(() => MfaHost.Configuration.MetricsSettings.Load(configuration.Section("metrics")), new MfaHost.Configuration.MetricsSettings()),
        };

        // Unix sockets have a path limit of 108 bytes including the terminator.
        if (System.Text.Encoding.UTF8.GetByteCount(settings.SocketPath) > 107)
        {
            errors.Add(host.Error("socket", $"'{settings.SocketPath}' is longer than the 107 bytes a Unix socket path may have"));
        }

        return settings;
    }

    private static CredentialsFile? LoadCredentials(string? path, ICollection<MfaConfigurationException> errors)
    {
        try
        {
            return path is null ? null : CredentialsFile.Load(path);
        }
        catch (MfaConfigurationException e)
        {
            errors.Add(e);
            return null;
        }
    }

    private static TicketSettings LoadTickets(PluginConfiguration configuration)
    {
        var tokens = configuration.Section("tokens");
        var tickets = configuration.Section("tickets");
        var maxTtl = tokens.GetSeconds("max_ttl", TimeSpan.FromHours(24), TimeSpan.FromSeconds(1), TimeSpan.FromDays(30));
        var key = tickets.GetSecret("signing_key");
        if (key is not null && System.Text.Encoding.UTF8.GetByteCount(key) < 32)
        {
            throw tickets.Error("signing_key", "is shorter than 32 bytes; use a long random value (for example: openssl rand -base64 48)");
        }

        return new TicketSettings
        {
            TokenMaxTtl = maxTtl,
            TokenDefaultTtl = TimeSpan.FromSeconds(Math.Min(600, maxTtl.TotalSeconds)),
            TicketTtl = tickets.GetSeconds("ttl", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(600)),
            SessionTokenTtl = tickets.GetSeconds("session_token_ttl", TimeSpan.FromHours(1), TimeSpan.FromSeconds(60), TimeSpan.FromDays(1)),
            SigningKey = key is null ? null : System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)),
        };
    }

    private static UnixFileMode ParseMode(IniSection host)
    {
        var raw = host.GetString("socket_mode");
        if (raw is null)
        {
            return (UnixFileMode)Convert.ToInt32("660", 8);
        }

        try
        {
            var mode = Convert.ToInt32(raw, 8);
            if (mode is < 0 or > 511)
            {
                throw host.Error("socket_mode", $"'{raw}' is not a file mode (octal, 000 to 777)");
            }

            return (UnixFileMode)mode;
        }
        catch (FormatException)
        {
            throw host.Error("socket_mode", $"'{raw}' is not an octal file mode such as 0660");
        }
        catch (OverflowException)
        {
            throw host.Error("socket_mode", $"'{raw}' is not an octal file mode such as 0660");
        }
    }

    internal static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0').ToString(CultureInfo.InvariantCulture);
}
