using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Hmc.Api;

/// <summary>
/// A logged-on HMC session: who, where, and the logon's answer; logged off exactly once. It keeps no
/// password and no one-time code: they are used for the logon and dropped. A session the HMC has ended
/// (expired: 403 reason 4 or 5) is not logged on again, since the code is spent; the gateway's next
/// authentication logs on anew with the credentials it sends.
/// </summary>
internal sealed class HmcSession
{
    private readonly HmcApiClient _api;
    private readonly HmcLogon _logon;
    private int _logoffStarted;

    private HmcSession(HmcApiClient api, string userid, bool withMfaCode, HmcLogon logon)
    {
        _api = api;
        Userid = userid;
        WithMfaCode = withMfaCode;
        _logon = logon;
    }

    public HmcApiClient Api => _api;

    public string Userid { get; }

    /// <summary>Whether the logon carried an <c>mfa-code</c>.</summary>
    public bool WithMfaCode { get; }

    /// <summary>The logon's answer.</summary>
    public HmcLogon Current => _logon;

    public bool IsLoggedOff => Volatile.Read(ref _logoffStarted) != 0;

    /// <summary>Logs on; the SDK's failures as <see cref="HmcApiClient.LogonAsync"/> throws them. <paramref name="credentials"/> are not kept.</summary>
    public static async Task<HmcSession> LogonAsync(HmcApiClient api, HmcLogonCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(credentials);
        var logon = await api.LogonAsync(credentials, cancellationToken);
        return new HmcSession(api, credentials.Userid, !string.IsNullOrEmpty(credentials.MfaCode), logon);
    }

    /// <summary>
    /// <c>DELETE /api/sessions/this-session</c>, the first time only. A 403 reason 4 or 5 means the HMC
    /// already dropped the session (it expired).
    /// </summary>
    /// <exception cref="MfaServiceUnreachable">The HMC could not be reached.</exception>
    /// <exception cref="MfaCommunicationError">The HMC answered something else than 200, 204 or 403 reason 4/5.</exception>
    public async Task<HmcLogoffResult> LogoffAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _logoffStarted, 1) != 0)
        {
            return HmcLogoffResult.NotSent;
        }

        var response = await _api.SendAsync(HttpMethod.Delete, HmcApi.ThisSessionPath, body: null, _logon.ApiSession, cancellationToken);
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

    /// <summary>Deliberately without any secret.</summary>
    public override string ToString() => $"HMC session of {Userid} at {_api.Endpoint}";
}
