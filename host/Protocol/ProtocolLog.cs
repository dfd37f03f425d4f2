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

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Connection {Connection} ({Peer}) sent a line longer than max_frame_bytes ({MaxFrameBytes}); closing it ({HeldBack} more of this uid not logged before this one)")]
    public static partial void FrameTooLarge(ILogger logger, long connection, Access.PeerCredentials peer, int maxFrameBytes, long heldBack);


    [LoggerMessage(EventId = 308, Level = LogLevel.Information, Message = "Stopping: no new connections; waiting up to {Timeout} for {Running} request(s) in flight")]
    public static partial void Draining(ILogger logger, TimeSpan timeout, int running);

    [LoggerMessage(EventId = 309, Level = LogLevel.Warning, Message = "Shutdown timeout reached: cancelling {Running} request(s) still in flight")]
    public static partial void CancellingInFlight(ILogger logger, int running);

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Stopped listening; removed {SocketPath}")]
    public static partial void Stopped(ILogger logger, string socketPath);

    [LoggerMessage(EventId = 311, Level = LogLevel.Debug, Message = "Request {Method} on connection {Connection}")]
    public static partial void Request(ILogger logger, string method, long connection);


    [LoggerMessage(EventId = 313, Level = LogLevel.Debug, Message = "Connection {Connection}: {Error}")]
    public static partial void ConnectionError(ILogger logger, long connection, string error);

    [LoggerMessage(EventId = 314, Level = LogLevel.Error, Message = "Accepting a connection on {SocketPath} failed ({Error}); trying again in {Backoff} ({HeldBack} more failures not logged before this one)")]
    public static partial void AcceptFailed(ILogger logger, string socketPath, System.Net.Sockets.SocketError error, TimeSpan backoff, long heldBack);

    [LoggerMessage(EventId = 315, Level = LogLevel.Debug, Message = "Connection {Connection}: {Code} {Reason} answered to a malformed line")]
    public static partial void MalformedLine(ILogger logger, long connection, int code, string reason);

    [LoggerMessage(EventId = 316, Level = LogLevel.Warning, Message = "Refused a connection: {Open} connections are open, the limit (max_connections); {HeldBack} more refused and not logged before this one")]
    public static partial void TooManyConnections(ILogger logger, int open, long heldBack);

    [LoggerMessage(EventId = 317, Level = LogLevel.Warning, Message = "Connection {Connection} ({Peer}) left a line unfinished for frame_timeout ({Timeout}); closing it ({HeldBack} more of this uid not logged before this one)")]
    public static partial void FrameTimedOut(ILogger logger, long connection, Access.PeerCredentials peer, TimeSpan timeout, long heldBack);

    [LoggerMessage(EventId = 318, Level = LogLevel.Warning, Message = "Connection {Connection} ({Peer}) read none of its answers for connection_idle_timeout ({Timeout}); closing it ({HeldBack} more of this uid not logged before this one)")]
    public static partial void AnswersNotRead(ILogger logger, long connection, Access.PeerCredentials peer, TimeSpan timeout, long heldBack);

    [LoggerMessage(EventId = 319, Level = LogLevel.Debug, Message = "Connection {Connection} closed: idle for connection_idle_timeout ({Timeout})")]
    public static partial void IdleClosed(ILogger logger, long connection, TimeSpan timeout);

    [LoggerMessage(EventId = 320, Level = LogLevel.Error, Message = "Connection {Connection}: handling a line failed; answered an internal error")]
    public static partial void LineFailed(ILogger logger, long connection, Exception exception);

    [LoggerMessage(EventId = 321, Level = LogLevel.Error, Message = "Connection {Connection}: an answer could not be encoded as JSON; answered an internal error instead")]
    public static partial void AnswerNotEncodable(ILogger logger, long connection, Exception exception);

    [LoggerMessage(EventId = 322, Level = LogLevel.Warning, Message = "max_connections {Configured} is more than the open-file limit allows ({FileLimit}, with {Reserve} kept for plugins and the state store): at most {Effective} connections")]
    public static partial void ConnectionsClamped(ILogger logger, int configured, long fileLimit, int reserve, int effective);

    [LoggerMessage(EventId = 323, Level = LogLevel.Warning, Message = "{HeldBack} more '{Warning}' warning(s) were not logged in the last {Interval}")]
    public static partial void WarningsHeldBack(ILogger logger, long heldBack, string warning, TimeSpan interval);

    [LoggerMessage(EventId = 324, Level = LogLevel.Warning, Message = "Shutdown timeout reached: closing {Count} connection(s) that did not finish")]
    public static partial void AbortingConnections(ILogger logger, int count);
}
