using System.Text.Json.Nodes;
using MfaHost.Plugins.Hmc.Logging;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Hmc.Api;

/// <summary>
/// A logged-on HMC session. Calls carry <c>X-API-Session</c>; a 403 reason 4 or 5 (no or invalid
/// session id) logs on again with the same credentials and retries the call once. Logs off exactly once.
/// </summary>
internal sealed class HmcSession
{
    private readonly HmcApiClient _api;
    private readonly HmcLogonCredentials _credentials;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private HmcLogon _current;
    private Task<HmcLogon>? _relogon;
    private int _logoffStarted;
    private int _logons = 1;

    private HmcSession(HmcApiClient api, HmcLogonCredentials credentials, HmcLogon logon, ILogger logger)
    {
        _api = api;
        _credentials = credentials;
        _current = logon;
        _logger = logger;
    }

    public HmcApiClient Api => _api;

    public string Userid => _credentials.Userid;

    /// <summary>Whether the logon carried an <c>mfa-code</c>.</summary>
    public bool WithMfaCode => !string.IsNullOrEmpty(_credentials.MfaCode);

    /// <summary>The current logon (a re-logon replaces it).</summary>
    public HmcLogon Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>How many logons this session took (1, plus one per re-logon).</summary>
    public int Logons => Volatile.Read(ref _logons);

    public bool IsLoggedOff => Volatile.Read(ref _logoffStarted) != 0;

    /// <summary>Logs on; the SDK's failures as <see cref="HmcApiClient.LogonAsync"/> throws them.</summary>
    public static async Task<HmcSession> LogonAsync(HmcApiClient api, HmcLogonCredentials credentials, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var logon = await api.LogonAsync(credentials, cancellationToken);
        return new HmcSession(api, credentials, logon, logger);
    }

    /// <summary>
    /// Sends a call in this session; on 403 reason 4 or 5 logs on again and retries once. The second
    /// answer is returned whatever it is.
    /// </summary>
    public async Task<HmcResponse> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        ObjectDisposedException.ThrowIf(IsLoggedOff, this);
        var used = Current;
        var response = await _api.SendAsync(method, path, body, used.ApiSession, cancellationToken);
        if (!response.IsSessionInvalid)
        {
            return response;
        }

        HmcLog.LoggingOnAgain(_logger, _api.Endpoint, Userid, response.Reason ?? -1, method.Method, path);
        var fresh = await LogonAgainAsync(used, cancellationToken);
        return await _api.SendAsync(method, path, body, fresh.ApiSession, cancellationToken);
    }

    /// <summary>
    /// <c>DELETE /api/sessions/this-session</c>, the first time only. A 403 reason 4 or 5 means the HMC
    /// already dropped the session.
    /// </summary>
    /// <exception cref="MfaServiceUnreachable">The HMC could not be reached.</exception>
    /// <exception cref="MfaCommunicationError">The HMC answered something else than 200, 204 or 403 reason 4/5.</exception>
    public async Task<HmcLogoffResult> LogoffAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _logoffStarted, 1) != 0)
        {
            return HmcLogoffResult.NotSent;
        }

        var response = await _api.SendAsync(HttpMethod.Delete, HmcApi.ThisSessionPath, body: null, Current.ApiSession, cancellationToken);
        if (response.IsSuccess)
        {
            return HmcLogoffResult.LoggedOff;
        }

        if (response.IsSessionInvalid)
        {
            return HmcLogoffResult.AlreadyEnded;
        }

        throw new MfaCommunicationError($"HMC {_api.Endpoint} answered the logoff of {Userid} with {response.Describe()}");
    }

    // Concurrent calls that all found the same session invalid share one re-logon.
    private Task<HmcLogon> LogonAgainAsync(HmcLogon stale, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_current, stale))
            {
                return Task.FromResult(_current);
            }

            if (_relogon is null || _relogon.IsCompleted)
            {
                _relogon = RunLogonAsync(cancellationToken);
            }

            return _relogon;
        }
    }

    private async Task<HmcLogon> RunLogonAsync(CancellationToken cancellationToken)
    {
        var logon = await _api.LogonAsync(_credentials, cancellationToken);
        lock (_gate)
        {
            _current = logon;
        }

        Interlocked.Increment(ref _logons);
        return logon;
    }

    /// <summary>Deliberately without any secret.</summary>
    public override string ToString() => $"HMC session of {Userid} at {_api.Endpoint}";
}
