using Microsoft.Extensions.Logging;

namespace MfaHost.Logging;

/// <summary>The host's start-up and plugin log lines, with stable event ids.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "MfaHost {Version} starting with configuration {ConfigFile}")]
    public static partial void Starting(ILogger logger, string version, string configFile);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Plugin instance {Instance} loaded: type {Type} {Version} from {Folder}, capabilities {Capabilities}")]
    public static partial void PluginLoaded(ILogger logger, string instance, string type, string version, string? folder, string capabilities);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Plugin instance {Instance} (type {Type}) failed to load and is skipped: {Error}")]
    public static partial void PluginFailed(ILogger logger, string instance, string type, string? error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Socket: {SocketPath}")]
    public static partial void SocketPath(ILogger logger, string socketPath);

    [LoggerMessage(EventId = 5, Level = LogLevel.Critical, Message = "Configuration error: {Error}")]
    public static partial void ConfigurationError(ILogger logger, string error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "{Loaded} plugin instance(s) loaded, {Failed} failed")]
    public static partial void PluginSummary(ILogger logger, int loaded, int failed);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "MfaHost stopped")]
    public static partial void Stopped(ILogger logger);
}
