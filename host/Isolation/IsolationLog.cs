using Microsoft.Extensions.Logging;

namespace MfaHost.Isolation;

/// <summary>The log lines of isolated instances' workers (event ids 900–919).</summary>
internal static partial class IsolationLog
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "{Instance}: worker process {Pid} serves the instance (isolation = process)")]
    public static partial void WorkerRunning(ILogger logger, string instance, int pid);

    [LoggerMessage(EventId = 901, Level = LogLevel.Error, Message = "{Instance}: worker process {Pid} ended: {Reason}; its requests were answered plugin_unavailable, restarting in {Delay}")]
    public static partial void WorkerFailed(ILogger logger, string instance, int pid, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 902, Level = LogLevel.Error, Message = "{Instance}: the new worker process failed: {Reason}; trying again in {Delay}")]
    public static partial void RestartFailed(ILogger logger, string instance, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 903, Level = LogLevel.Information, Message = "{Instance}: worker process {Pid} stopped")]
    public static partial void WorkerStopped(ILogger logger, string instance, int pid);

    [LoggerMessage(EventId = 904, Level = LogLevel.Warning, Message = "{Instance}: worker printed: {Line}")]
    public static partial void WorkerPrinted(ILogger logger, string instance, string line);

    [LoggerMessage(EventId = 905, Level = LogLevel.Warning, Message = "{Instance}: ignored a line from the worker: {Problem}")]
    public static partial void WorkerSentGarbage(ILogger logger, string instance, string problem);
}
