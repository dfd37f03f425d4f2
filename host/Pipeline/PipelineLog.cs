using Microsoft.Extensions.Logging;

namespace MfaHost.Pipeline;

/// <summary>The pipeline's log lines (event ids 400-449). Never a secret: no password, OTP or answer.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "{Instance}: {Verdict} ({Reason}) for user {Username}, identity {Identity}, client {ClientIp}, session {SessionId}")]
    public static partial void Decided(ILogger logger, string instance, string verdict, string reason, string username, string? identity, string? clientIp, string sessionId);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "{Instance}: asking user {Username} for {Key} (session {SessionId})")]
    public static partial void Asking(ILogger logger, string instance, string username, string key, string sessionId);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "{Instance}: the plugin threw while authenticating user {Username} (session {SessionId}); answering plugin_error")]
    public static partial void PluginThrew(ILogger logger, Exception exception, string instance, string username, string sessionId);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Session {SessionId}: an answer came but no conversation is open ({Why}); starting the login over")]
    public static partial void NoConversation(ILogger logger, string sessionId, string why);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "Session {SessionId}: the answer names instance {Instance} and user {Username}, but the conversation is for another instance or user; starting the login over")]
    public static partial void ConversationMismatch(ILogger logger, string sessionId, string instance, string username);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "{Instance}: session_ended for session {SessionId} failed in the plugin")]
    public static partial void SessionEndedFailed(ILogger logger, Exception exception, string instance, string sessionId);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "Ended {Count} session(s) idle for {IdleTimeout}")]
    public static partial void IdleSessionsEnded(ILogger logger, int count, TimeSpan idleTimeout);

    [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "{Instance}: {Capacity} conversations are open, refusing another for user {Username} (session {SessionId})")]
    public static partial void ConversationsFull(ILogger logger, string instance, int capacity, string username, string sessionId);

    [LoggerMessage(EventId = 408, Level = LogLevel.Debug, Message = "Session {SessionId} ended (known: {Known})")]
    public static partial void SessionEnded(ILogger logger, string sessionId, bool known);

    [LoggerMessage(EventId = 409, Level = LogLevel.Error, Message = "Ending idle or surplus sessions failed")]
    public static partial void SessionSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 412, Level = LogLevel.Warning, Message = "{Instance}: the plugin gave up (its own cancellation, e.g. an HTTP timeout) while authenticating user {Username} (session {SessionId}); answering timeout")]
    public static partial void PluginTimedOut(ILogger logger, Exception exception, string instance, string username, string sessionId);

    [LoggerMessage(EventId = 413, Level = LogLevel.Warning, Message = "{Listener}: handling the end of session {SessionId} failed")]
    public static partial void SessionEndedListenerFailed(ILogger logger, Exception exception, string listener, string sessionId);

    [LoggerMessage(EventId = 410, Level = LogLevel.Warning, Message = "Ended the {Count} least recently used session(s): at most {Capacity} sessions are tracked ([host] max_sessions)")]
    public static partial void LeastRecentlyUsedSessionsEnded(ILogger logger, int count, int capacity);
}
