using Microsoft.Extensions.Logging;

namespace MfaHost.Metrics;

/// <summary>Log lines of the metrics listener and the service manager notifications.</summary>
internal static partial class MetricsLog
{
    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "Metrics and status page listening on {Address} (/metrics, /)")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 802, Level = LogLevel.Warning, Message = "Metrics listener on {Address} accepts connections from other machines ([metrics] allow_remote = yes); it has no authentication")]
    public static partial void ListeningRemotely(ILogger logger, string address);

    [LoggerMessage(EventId = 803, Level = LogLevel.Information, Message = "Metrics listener stopped")]
    public static partial void Stopped(ILogger logger);
}
