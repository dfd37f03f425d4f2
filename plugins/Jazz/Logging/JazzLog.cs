using MfaHost.Plugins.Jazz.Client;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Jazz.Logging;

/// <summary>The jazz plugin's log lines (event ids 7000-7099). URLs and user ids only: never a password or a cookie.</summary>
internal static partial class JazzLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "Jazz {Url}: form login required, posting j_security_check to {LoginUrl} as {Username}")]
    public static partial void FormLogin(ILogger logger, Uri url, Uri loginUrl, string username);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Debug, Message = "Jazz {Url}: JAS authorization required, authorization URL {AuthorizationUrl}")]
    public static partial void JasChallenge(ILogger logger, Uri url, Uri authorizationUrl);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "Jazz {Url}: JAS reports a valid authentication in place (prompt=none answered {Status}); retrying")]
    public static partial void JasAlreadyAuthenticated(ILogger logger, Uri url, int status);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "Jazz {Url}: JAS login required, logging in with Basic as {Username}")]
    public static partial void JasLogin(ILogger logger, Uri url, string username);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Debug, Message = "Jazz {Url}: Basic authentication required; sending it on every request of this session as {Username}")]
    public static partial void BasicSelected(ILogger logger, Uri url, string username);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Debug, Message = "Jazz {Url}: logged in ({Method}); sending {HttpMethod} {RequestUrl} again")]
    public static partial void Retrying(ILogger logger, Uri url, JazzAuthenticationMethod method, string httpMethod, Uri requestUrl);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "Jazz {Url}: user {Username} verified ({Method})")]
    public static partial void Verified(ILogger logger, Uri url, string username, JazzAuthenticationMethod method);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information, Message = "Jazz {Url}: user {Username} not verified: {Reason}")]
    public static partial void NotVerified(ILogger logger, Uri url, string username, string reason);
}
