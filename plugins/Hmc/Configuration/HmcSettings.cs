using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Hmc.Configuration;

/// <summary>The <c>[hmc]</c> section of an instance file, validated when the instance is created.</summary>
internal sealed record HmcSettings
{
    public const string SectionName = "hmc";
    public const int DefaultPort = 6794;
    public const int DefaultBrokerPort = 61612;
    public const int DefaultWarnPasswordDays = 7;
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The HMCs in the order they are tried.</summary>
    public required IReadOnlyList<HmcEndpoint> Hosts { get; init; }

    /// <summary>A PEM bundle to trust instead of the system store; null: <c>[tls] ca_file</c> or the system store.</summary>
    public string? CaFile { get; init; }

    /// <summary>The time one HTTP request (and the broker check) may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    /// <summary>Warn in the ACCEPT message when the password expires within this many days; -1: never.</summary>
    public int WarnPasswordDays { get; init; } = DefaultWarnPasswordDays;

    /// <summary>After logon, check that the notification broker accepts the session credential.</summary>
    public bool VerifyBroker { get; init; }

    /// <summary>The broker's STOMP-over-TLS port.</summary>
    public int BrokerPort { get; init; } = DefaultBrokerPort;

    /// <summary>Reads and validates <c>[hmc]</c>.</summary>
    /// <exception cref="MfaConfigurationException">An option is missing or wrong (file, section, option and value named).</exception>
    public static HmcSettings Load(PluginConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.Section(SectionName);
        var port = section.GetInt("port", DefaultPort, 1, 65535);
        var entries = section.GetList("hosts");
        if (entries.Count == 0)
        {
            throw section.Error("hosts", "is required: list the HMC host names, comma-separated (host or host:port)");
        }

        var hosts = new List<HmcEndpoint>(entries.Count);
        foreach (var entry in entries)
        {
            hosts.Add(HmcEndpoint.TryParse(entry, port, out var problem) ?? throw section.Error("hosts", problem!));
        }

        string? caFile = null;
        if (section.GetString("ca_file") is { } written)
        {
            caFile = configuration.ResolvePath(written);
            CheckBundle(section, caFile);
        }

        return new HmcSettings
        {
            Hosts = hosts,
            CaFile = caFile,
            RequestTimeout = section.GetSeconds("request_timeout", DefaultRequestTimeout, TimeSpan.FromSeconds(0.1), TimeSpan.FromMinutes(10)),
            WarnPasswordDays = section.GetInt("warn_password_days", DefaultWarnPasswordDays, -1, 3650),
            VerifyBroker = section.GetBool("verify_broker", false),
            BrokerPort = section.GetInt("broker_port", DefaultBrokerPort, 1, 65535),
        };
    }

    // A bad bundle is a start-up error, not a failure at the first logon.
    private static void CheckBundle(IniSection section, string path)
    {
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw section.Error("ca_file", $"cannot read CA bundle '{path}': {e.Message}");
        }

        try
        {
            if (bundle.Count == 0)
            {
                throw section.Error("ca_file", $"'{path}' holds no PEM certificate");
            }
        }
        finally
        {
            foreach (var certificate in bundle)
            {
                certificate.Dispose();
            }
        }
    }
}
