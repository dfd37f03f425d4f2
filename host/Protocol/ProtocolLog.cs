using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol;

/// <summary>The gateway socket's log lines, with stable event ids (300-349). Never a param value: they may be secrets.</summary>
internal static partial class ProtocolLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Listening on {SocketPath} (mode {Mode})")]
    public static partial void Listening(ILogger logger, string socketPath, string mode);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Replaced the stale socket file {SocketPath} left by an earlier run")]
    public static partial void StaleSocketReplaced(ILogger logger, string socketPath);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "Connection {Connection} opened by {Peer}")]
    public static partial void ConnectionOpened(ILogger logger, long connection, Access.PeerCredentials peer);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "Connection {Connection} closed after {Requests} request(s)")]
    public static partial void ConnectionClosed(ILogger logger, long connection, long requests);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Access refused: uid {Uid} (gid {Gid}, pid {Pid}) called {Method}: {Reason}")]
    public static partial void CallRefused(ILogger logger, string uid, string gid, int pid, string method, string reason);

    [LoggerMessage(EventId = 305, Level = LogLevel.Error, Message = "Request {Method} on connection {Connection} failed with an internal error")]
    public static partial void RequestFailed(ILogger logger, string method, long connection, Exception exception);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Connection {Connection} ({Peer}) sent a line longer than max_frame_bytes ({MaxFrameBytes}); closing it")]
    public static partial void FrameTooLarge(ILogger logger, long connection, Access.PeerCredentials peer, int maxFrameBytes);

    [LoggerMessage(EventId = 307, Level = LogLevel.Debug, Message = "Request {Method} refused: {InFlight} request(s) in flight is the limit (max_in_flight)")]
    public static partial void Overloaded(ILogger logger, string method, int inFlight);

    [LoggerMessage(EventId = 308, Level = LogLevel.Information, Message = "Stopping: no new connections; waiting up to {Timeout} for {Running} request(s) in flight")]
    public static partial void Draining(ILogger logger, TimeSpan timeout, int running);

    [LoggerMessage(EventId = 309, Level = LogLevel.Warning, Message = "Shutdown timeout reached: cancelling {Running} request(s) still in flight")]
    public static partial void CancellingInFlight(ILogger logger, int running);

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Stopped listening; removed {SocketPath}")]
    public static partial void Stopped(ILogger logger, string socketPath);

    [LoggerMessage(EventId = 311, Level = LogLevel.Debug, Message = "Request {Method} on connection {Connection}")]
    public static partial void Request(ILogger logger, string method, long connection);

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "Request {Method} on connection {Connection} was cancelled after {Elapsed} (request timeout {Timeout}, connection closed or host stopping)")]
    public static partial void RequestCancelled(ILogger logger, string method, long connection, TimeSpan elapsed, TimeSpan timeout);

    [LoggerMessage(EventId = 313, Level = LogLevel.Debug, Message = "Connection {Connection}: {Error}")]
    public static partial void ConnectionError(ILogger logger, long connection, string error);

    [LoggerMessage(EventId = 314, Level = LogLevel.Error, Message = "Accepting a connection on {SocketPath} failed")]
    public static partial void AcceptFailed(ILogger logger, string socketPath, Exception exception);

    [LoggerMessage(EventId = 315, Level = LogLevel.Debug, Message = "Connection {Connection}: {Code} {Reason} answered to a malformed line")]
    public static partial void MalformedLine(ILogger logger, long connection, int code, string reason);
}
