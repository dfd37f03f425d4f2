using Microsoft.Extensions.Logging;

namespace MfaHost.State;

/// <summary>The state store's log lines (event ids 700-719). Never a key, a value or the connection string.</summary>
internal static partial class StateLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "State store: PostgreSQL, schema {Schema}")]
    public static partial void UsingPostgres(ILogger logger, string schema);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "State schema {Schema}: migrated from version {From} to {To}")]
    public static partial void Migrated(ILogger logger, string schema, int from, int to);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "State schema {Schema}: at version {Version}, nothing to migrate")]
    public static partial void UpToDate(ILogger logger, string schema, int version);

    [LoggerMessage(EventId = 703, Level = LogLevel.Error, Message = "State store unavailable, decisions that need state are denied (state_unavailable): {Problem}")]
    public static partial void Unavailable(ILogger logger, string problem);

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "State store available again")]
    public static partial void Recovered(ILogger logger);

    [LoggerMessage(EventId = 705, Level = LogLevel.Debug, Message = "State store: swept {Count} expired rows")]
    public static partial void Swept(ILogger logger, long count);

    [LoggerMessage(EventId = 706, Level = LogLevel.Warning, Message = "State store: sweeping expired rows failed; next round tries again")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "{Instance}: authentication cache not used for user {Username}: {Problem}")]
    public static partial void CacheSkipped(ILogger logger, string instance, string username, string problem);

    [LoggerMessage(EventId = 708, Level = LogLevel.Error, Message = "{Instance}: DENY state_unavailable for user {Username} (session {SessionId}): {Problem}")]
    public static partial void DecisionDenied(ILogger logger, string instance, string username, string sessionId, string problem);
}
