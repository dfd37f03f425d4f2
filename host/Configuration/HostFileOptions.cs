using System.Collections.Frozen;
using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>
/// Which sections and options <c>mfahost.ini</c> may hold: exactly what <see cref="HostSettingsLoader"/> reads.
/// Anything else (a misspelt <c>soket_path</c>, a section of an instance file put here) is a configuration error
/// with file, line and the closest known spelling, so <c>check-config</c>, the start and a reload refuse it
/// instead of silently using a default. Add an option here when the host starts reading it.
/// </summary>
internal static class HostFileOptions
{
    private static readonly OptionSchema Schema = new(new Dictionary<string, FrozenSet<string>>(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = OptionSchema.Options(
            "socket", "socket_mode", "plugins_dir", "plugin_config_dir", "data_dir", "credentials_file",
            "max_frame_bytes", "request_timeout", "shutdown_timeout", "conversation_timeout", "max_in_flight",
            "max_connections", "max_in_flight_per_connection", "connection_idle_timeout", "frame_timeout",
            "max_sessions", "session_idle_timeout", "watch", "drain_timeout"),
        ["logging"] = OptionSchema.Options("log_level"),
        ["access"] = OptionSchema.Options("gateway_uids", "admin_uids", "ticket_uids", AccessRulesLoader.ApplidsOption),
        ["tokens"] = OptionSchema.Options("max_ttl"),
        ["tickets"] = OptionSchema.Options("signing_key", "ttl", "session_token_ttl"),
        ["audit"] = OptionSchema.Options("enabled", "file", "key", "queue"),
        ["state"] = OptionSchema.Options("backend", "connection_string", "pool_size", "command_timeout", "schema"),
        ["metrics"] = OptionSchema.Options("listen", "allow_remote", "show_users"),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));

    /// <summary>Every section and option of the host file the host does not read, as errors with file, line and a suggestion.</summary>
    public static IEnumerable<MfaConfigurationException> FindUnknown(PluginConfiguration configuration) => Schema.FindUnknown(configuration);
}
