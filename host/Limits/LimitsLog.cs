using Microsoft.Extensions.Logging;

namespace MfaHost.Limits;

/// <summary>The limits' log lines (event ids 450-459). Never a secret.</summary>
internal static partial class LimitsLog
{
    [LoggerMessage(EventId = 450, Level = LogLevel.Warning, Message = "{Instance}: identity {Identity} locked out for {Duration} s after {Failures} failed attempts")]
    public static partial void LockedOut(ILogger logger, string instance, string identity, long failures, int duration);

    [LoggerMessage(EventId = 451, Level = LogLevel.Information, Message = "{Instance}: identity {Identity} is locked out ({Seconds} s left); the plugin is not called (session {SessionId})")]
    public static partial void RefusedLockedOut(ILogger logger, string instance, string identity, int seconds, string sessionId);

    [LoggerMessage(EventId = 452, Level = LogLevel.Warning, Message = "{Instance}: push {Count} for identity {Identity} within the window exceeds [push_limit] max = {Max}; no push sent (session {SessionId})")]
    public static partial void PushRateLimited(ILogger logger, string instance, string identity, long count, int max, string sessionId);

    [LoggerMessage(EventId = 453, Level = LogLevel.Debug, Message = "{Instance}: number matching for identity {Identity}: number shown, waiting for the user (session {SessionId})")]
    public static partial void NumberShown(ILogger logger, string instance, string identity, string sessionId);
}
