using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Configuration;

/// <summary>Parses <c>[logging] log_level</c> (trace, debug, info, warning, error, critical, none).</summary>
internal static class LogLevels
{
    public static LogLevel Parse(IniSection section, string option, LogLevel otherwise = LogLevel.Information)
    {
        var raw = section.GetString(option);
        return raw?.ToLowerInvariant() switch
        {
            null => otherwise,
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            "none" or "off" => LogLevel.None,
            _ => throw section.Error(option, $"'{raw}' is not a log level (trace, debug, info, warning, error, critical, none)"),
        };
    }
}
