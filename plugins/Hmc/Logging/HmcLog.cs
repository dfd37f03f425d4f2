using MfaHost.Plugins.Hmc.Configuration;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Hmc.Logging;

/// <summary>
/// Every log line of the plugin, with stable event ids (6000-6099). None carries a password, code,
/// session id or session credential: sessions are named by user and gateway session.
/// </summary>
internal static partial class HmcLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "HMC {Endpoint} is not usable, trying the next configured host: {Reason}")]
    public static partial void HostNotUsable(ILogger logger, HmcEndpoint endpoint, string reason);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug, Message = "Using HMC {Endpoint} ({HmcName}, HMC {HmcVersion}, API {ApiVersion})")]
    public static partial void HostSelected(ILogger logger, HmcEndpoint endpoint, string? hmcName, string? hmcVersion, string apiVersion);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "HMC {Endpoint}: {Userid} logged on ({Factor}) for gateway session {GatewaySession}")]
    public static partial void LoggedOn(ILogger logger, HmcEndpoint endpoint, string userid, string factor, string gatewaySession);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "HMC: the gateway sent no password for {Userid} (gateway session {GatewaySession}); the HMC logon needs it")]
    public static partial void NoPassword(ILogger logger, string userid, string gatewaySession);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "HMC {Endpoint}: {Userid} logged off (gateway session {GatewaySession}, {Why})")]
    public static partial void LoggedOff(ILogger logger, HmcEndpoint endpoint, string userid, string gatewaySession, string why);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "HMC {Endpoint}: the session of {Userid} (gateway session {GatewaySession}) had already ended at the HMC ({Why})")]
    public static partial void AlreadyEnded(ILogger logger, HmcEndpoint endpoint, string userid, string gatewaySession, string why);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "HMC {Endpoint}: logging off {Userid} (gateway session {GatewaySession}, {Why}) failed: {Reason}")]
    public static partial void LogoffFailed(ILogger logger, HmcEndpoint endpoint, string userid, string gatewaySession, string why, string reason);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Debug, Message = "HMC notification broker {Broker}: {Userid} connected with the session credential (STOMP {StompVersion})")]
    public static partial void BrokerVerified(ILogger logger, string broker, string userid, string? stompVersion);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Error, Message = "HMC notification broker check for {Userid} failed, denying: {Reason}")]
    public static partial void BrokerFailed(ILogger logger, string userid, string reason);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Warning, Message = "HMC notification broker {Broker}: closing the check session of {Userid} did not go cleanly: {Reason}")]
    public static partial void BrokerDisconnectProblem(ILogger logger, string broker, string userid, string reason);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Information, Message = "HMC {Endpoint}: the password of {Userid} expires in {Days} days")]
    public static partial void PasswordExpiring(ILogger logger, HmcEndpoint endpoint, string userid, int days);
}
