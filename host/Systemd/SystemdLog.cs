using Microsoft.Extensions.Logging;

namespace MfaHost.Systemd;

/// <summary>Log lines of the systemd notifications.</summary>
internal static partial class SystemdLog
{
    [LoggerMessage(EventId = 851, Level = LogLevel.Information, Message = "systemd watchdog: WatchdogSec is {Interval}, pinging every {Period}")]
    public static partial void WatchdogEnabled(ILogger logger, TimeSpan interval, TimeSpan period);

    [LoggerMessage(EventId = 852, Level = LogLevel.Warning, Message = "Could not send {State} to systemd (NOTIFY_SOCKET)")]
    public static partial void NotifyFailed(ILogger logger, string state, Exception exception);
}
