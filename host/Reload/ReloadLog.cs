using Microsoft.Extensions.Logging;

namespace MfaHost.Reload;

/// <summary>The reload's log lines, with stable event ids.</summary>
internal static partial class ReloadLog
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Reloading the configuration ({Trigger})")]
    public static partial void Reloading(ILogger logger, string trigger);

    [LoggerMessage(EventId = 61, Level = LogLevel.Information, Message = "Configuration generation {Generation} loaded at {LoadedAt:O}: added [{Added}], changed [{Changed}], removed [{Removed}], unchanged [{Unchanged}]")]
    public static partial void Applied(ILogger logger, long generation, DateTimeOffset loadedAt, IReadOnlyList<string> added, IReadOnlyList<string> changed, IReadOnlyList<string> removed, IReadOnlyList<string> unchanged);

    [LoggerMessage(EventId = 62, Level = LogLevel.Error, Message = "Reload refused, generation {Generation} keeps serving: {Problem}")]
    public static partial void Refused(ILogger logger, long generation, string problem);

    [LoggerMessage(EventId = 63, Level = LogLevel.Warning, Message = "Changed but only applied after a restart: {Options}")]
    public static partial void RestartRequired(ILogger logger, IReadOnlyList<string> options);

    [LoggerMessage(EventId = 64, Level = LogLevel.Information, Message = "Plugin instance {Instance} (generation {Generation}) drained and unloaded")]
    public static partial void Drained(ILogger logger, string instance, long generation);

    [LoggerMessage(EventId = 65, Level = LogLevel.Warning, Message = "Plugin instance {Instance} (generation {Generation}) still had {InFlight} request(s) or open conversations after drain_timeout {DrainTimeout}; they are answered DENY shutting_down")]
    public static partial void DrainTimedOut(ILogger logger, string instance, long generation, int inFlight, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 66, Level = LogLevel.Error, Message = "Reload failed unexpectedly; the configuration serving is unchanged")]
    public static partial void Failed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 67, Level = LogLevel.Information, Message = "Configuration generation {Generation} loaded at {LoadedAt:O} from {ConfigFile}")]
    public static partial void Activated(ILogger logger, long generation, DateTimeOffset loadedAt, string configFile);

    [LoggerMessage(EventId = 68, Level = LogLevel.Information, Message = "Files changed under {Path}: reloading when they settle")]
    public static partial void FilesChanged(ILogger logger, string path);
}
