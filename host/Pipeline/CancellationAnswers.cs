using System.Globalization;
using MfaHost.PluginSdk;
using MfaHost.Rpc;
using Microsoft.Extensions.Logging;

namespace MfaHost.Pipeline;

/// <summary>
/// The one place where a request that did not get its own answer (<see cref="CancellationCause"/>) gets the answer
/// docs/protocol.md documents, and where its cause is logged: one line per request (event 430 for <c>authenticate</c>,
/// 431 for the other methods), naming the cause and the instance or method. The layers that notice a cause (the
/// dispatcher, the <c>authenticate</c> method, the plugin call guard, the metrics decorator) only pass it here.
/// </summary>
/// <remarks>
/// <c>overloaded</c> is one word for "the host is at a capacity limit; retry later", in two forms by when the limit
/// is hit: refused before any work (<c>max_in_flight</c>) is error -32002; hit after a login started (the host holds
/// as many open NEEDINFO conversations as it can) is a DENY, because the login was served.
/// </remarks>
internal static partial class CancellationAnswers
{
    private static readonly MfaVerdict TimedOut = MfaVerdict.Deny(MfaReasons.Timeout, "No decision in time");

    // Gateways take shutting_down as "retry on another host".
    private static readonly MfaVerdict ShuttingDown = MfaVerdict.Deny(ReasonWords.ShuttingDown, "The MFA service is restarting; try again");
    private static readonly MfaVerdict Retired = MfaVerdict.Deny(ReasonWords.ShuttingDown, "The plugin instance was replaced; try again");
    private static readonly MfaVerdict SessionEnded = MfaVerdict.Deny(ReasonWords.SessionEnded, "The session ended");
    private static readonly MfaVerdict Overloaded = MfaVerdict.Deny(ReasonWords.Overloaded, "Too many logins in progress, try again later");

    private static readonly RpcError TimedOutError = new(RpcErrorCodes.InternalError, "The request was cancelled: request timeout, or the connection closed", ReasonWords.Timeout);
    private static readonly RpcError ShuttingDownError = new(RpcErrorCodes.Overloaded, "The host is shutting down; retry on another host", ReasonWords.ShuttingDown);
    private static readonly RpcError OverloadedError = new(RpcErrorCodes.Overloaded, "The host is at its concurrency limit (max_in_flight); retry later", ReasonWords.Overloaded);

    /// <summary><c>authenticate</c>'s answer: a DENY, because a login that was started is decided, never an error.</summary>
    public static MfaVerdict Verdict(CancellationCause cause) => cause switch
    {
        CancellationCause.ShuttingDown => ShuttingDown,
        CancellationCause.InstanceRetired => Retired,
        CancellationCause.SessionEnded => SessionEnded,
        CancellationCause.Overloaded => Overloaded,
        _ => TimedOut,
    };

    /// <summary>Every other method's answer, and the refusal of any request before it runs: -32002 retry later, else -32603 <c>timeout</c>.</summary>
    public static RpcError Error(CancellationCause cause) => cause switch
    {
        CancellationCause.ShuttingDown or CancellationCause.InstanceRetired => ShuttingDownError,
        CancellationCause.Overloaded => OverloadedError,
        _ => TimedOutError,
    };

    /// <summary>
    /// Answers a login of <paramref name="instance"/> that <paramref name="cause"/> stopped, and logs it unless
    /// <paramref name="request"/> was logged already. <paramref name="request"/> is null outside a gateway request.
    /// </summary>
    public static MfaVerdict AnswerLogin(ILogger logger, CancellationCause cause, RequestCancellation? request, string instance, string username, string sessionId, TimeSpan elapsed, TimeSpan requestTimeout)
    {
        var verdict = Verdict(cause);
        var level = LevelOf(cause);
        if (IsFirstReport(request) && logger.IsEnabled(level))
        {
#pragma warning disable CA1873 // IsEnabled(level) just above: the analyzer does not see a level held in a variable.
            LogLoginCancelled(logger, level, instance, username, sessionId, elapsed, Describe(cause, requestTimeout), "DENY " + verdict.Reason);
#pragma warning restore CA1873
        }

        return verdict;
    }

    /// <summary>Answers a call of <paramref name="method"/> that <paramref name="cause"/> stopped or refused, and logs it once.</summary>
    public static RpcError AnswerCall(ILogger logger, CancellationCause cause, RequestCancellation? request, string method, long connection, TimeSpan elapsed, TimeSpan requestTimeout)
    {
        var error = Error(cause);
        var level = LevelOf(cause);
        if (IsFirstReport(request) && logger.IsEnabled(level))
        {
#pragma warning disable CA1873 // IsEnabled(level) just above: the analyzer does not see a level held in a variable.
            LogCallCancelled(logger, level, method, connection, elapsed, Describe(cause, requestTimeout), error.Code, error.Reason);
#pragma warning restore CA1873
        }

        return error;
    }

    // Outside a gateway request (a pipeline used on its own) every report is the first.
    private static bool IsFirstReport(RequestCancellation? request) => request?.FirstReport() ?? true;

    private static string Describe(CancellationCause cause, TimeSpan requestTimeout) => cause switch
    {
        CancellationCause.RequestTimeout => $"request_timeout ({requestTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s) reached",
        CancellationCause.GatewayGone => "the connection closed (the gateway gave up, or the host closed the connection)",
        CancellationCause.ShuttingDown => "the host is shutting down",
        CancellationCause.InstanceRetired => "a reload replaced the instance and drain_timeout passed",
        CancellationCause.SessionEnded => "session_ended arrived while the plugin ran",
        CancellationCause.Overloaded => "the host is at its concurrency limit (max_in_flight)",
        _ => cause.ToString(),
    };

    // A refusal for load is expected under load: it must not flood the log. A session end is the gateway's normal business.
    private static LogLevel LevelOf(CancellationCause cause) => cause switch
    {
        CancellationCause.Overloaded => LogLevel.Debug,
        CancellationCause.SessionEnded => LogLevel.Information,
        _ => LogLevel.Warning,
    };

    [LoggerMessage(EventId = 430, Message = "{Instance}: the request for user {Username} (session {SessionId}) was cancelled after {Elapsed}: {Cause}; answered {Answer}")]
    private static partial void LogLoginCancelled(ILogger logger, LogLevel level, string instance, string username, string sessionId, TimeSpan elapsed, string cause, string answer);

    [LoggerMessage(EventId = 431, Message = "Request {Method} on connection {Connection} stopped after {Elapsed}: {Cause}; answered {Code} {Reason}")]
    private static partial void LogCallCancelled(ILogger logger, LogLevel level, string method, long connection, TimeSpan elapsed, string cause, int code, string reason);
}
