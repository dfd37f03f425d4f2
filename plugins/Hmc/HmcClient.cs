using System.Globalization;
using MfaHost.Plugins.Hmc.Api;
using MfaHost.Plugins.Hmc.Broker;
using MfaHost.Plugins.Hmc.Configuration;
using MfaHost.Plugins.Hmc.Logging;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Hmc;

/// <summary>
/// The <c>hmc</c> plugin: logs the user on to an IBM Z HMC's Web Services API with the HMC password
/// and, when given, the TOTP code; ACCEPT hands the gateway the session id and the session credential
/// (what an MFA user needs for the HMC's notification broker). The HMC session lives until the
/// gateway session ends (or the host stops) and is then logged off, exactly once.
/// The HMC sessions it holds for gateway sessions are in <c>HmcClient.Sessions.cs</c>.
/// </summary>
[MfaPlugin("hmc")]
[MfaPluginOptions(HmcSettings.SectionName, "hosts", "port", "ca_file", "request_timeout", "warn_password_days", "verify_broker", "broker_port")]
public sealed partial class HmcClient : MfaClient
{
    /// <summary>The key of the HMC session in <see cref="MfaSession.Items"/>.</summary>
    internal const string SessionItemKey = "hmc.session";

    private readonly HmcSettings _settings;
    private readonly HttpClient _http;
    private readonly NotificationBrokerCheck _broker;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HmcSession> _live = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Creates the instance from its <c>[hmc]</c> section.</summary>
    /// <param name="context">What the host hands the instance.</param>
    /// <exception cref="MfaConfigurationException">The <c>[hmc]</c> section is wrong.</exception>
    public HmcClient(MfaPluginContext context)
        : base(context, "HMC")
    {
        _settings = HmcSettings.Load(context.Configuration);
        _http = context.HttpClientFactory.CreateClient(new PluginHttpOptions
        {
            CaFile = _settings.CaFile,
            Timeout = _settings.RequestTimeout,
            AllowAutoRedirect = false,
        });
        _broker = new NotificationBrokerCheck(context.HttpClientFactory, _settings.CaFile, _settings.RequestTimeout, context.TimeProvider, context.Logger);
    }

    /// <inheritdoc/>
    public override MfaCapabilities Capabilities => MfaCapabilities.Push | MfaCapabilities.Otp | MfaCapabilities.Password;

    internal HmcSettings Settings => _settings;

    /// <summary>Logs off every HMC session still open (host shutdown), then releases the HTTP client.</summary>
    public override async ValueTask DisposeAsync()
    {
        KeyValuePair<string, HmcSession>[] open;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            open = [.. _live];
            _live.Clear();
        }

        await Task.WhenAll(open.Select(s => LogoffQuietlyAsync(s.Value, s.Key, "host shutting down", CancellationToken.None)));
        _http.Dispose();
        await base.DisposeAsync();
    }

    /// <inheritdoc/>
    protected override async ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken) =>
        await LogonAsync(request, mfaCode: null, cancellationToken);

    /// <inheritdoc/>
    protected override async ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken) =>
        await LogonAsync(request, otp, cancellationToken);

    private async Task<MfaVerdict> LogonAsync(MfaRequest request, string? mfaCode, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Password))
        {
            HmcLog.NoPassword(Logger, request.MfaIdentity, request.Session.Id);
            return MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "The HMC logon needs your HMC password, and none was given");
        }

        var (api, version) = await SelectHostAsync(cancellationToken);
        var session = await HmcSession.LogonAsync(api, new HmcLogonCredentials(request.MfaIdentity, request.Password, mfaCode), cancellationToken);
        HmcLog.LoggedOn(Logger, api.Endpoint, session.Userid, session.WithMfaCode ? "password and MFA code" : "password only", request.Session.Id);
        try
        {
            if (_settings.VerifyBroker)
            {
                var logon = session.Current;
                var problem = await _broker.CheckAsync(api.Endpoint.Host, _settings.BrokerPort, session.Userid, logon.ApiSession, logon.SessionCredential, cancellationToken);
                if (problem is not null)
                {
                    HmcLog.BrokerFailed(Logger, session.Userid, problem);
                    await LogoffQuietlyAsync(session, request.Session.Id, "notification broker check failed", CancellationToken.None);
                    return MfaVerdict.Deny(MfaReasons.CommunicationError, "HMC notifications will not work: " + problem);
                }
            }
        }
        catch
        {
            await LogoffQuietlyAsync(session, request.Session.Id, "the authentication did not complete", CancellationToken.None);
            throw;
        }

        await TrackAsync(request.Session, session);
        if (cancellationToken.IsCancellationRequested)
        {
            // The gateway gave up or the session ended while we logged on: no verdict will reach it,
            // and session_ended may already have looked for this session before it was tracked.
            await ForgetAsync(request.Session, session, "the authentication was cancelled");
            cancellationToken.ThrowIfCancellationRequested();
        }

        return Accept(api, version, session);
    }

    private MfaVerdict Accept(HmcApiClient api, HmcVersion version, HmcSession session)
    {
        var logon = session.Current;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["api_session"] = logon.ApiSession,
            ["session_credential"] = logon.SessionCredential,
            ["notification_topic"] = logon.NotificationTopic ?? string.Empty,
            ["job_notification_topic"] = logon.JobNotificationTopic ?? string.Empty,
            ["api_version"] = logon.ApiMajorVersion is { } major && logon.ApiMinorVersion is { } minor
                ? $"{major.ToString(CultureInfo.InvariantCulture)}.{minor.ToString(CultureInfo.InvariantCulture)}"
                : version.ApiVersion,
            ["password_expires"] = (logon.PasswordExpires ?? -1).ToString(CultureInfo.InvariantCulture),
        };
        var message = string.Empty;
        if (logon.PasswordExpires is { } days and >= 0 && _settings.WarnPasswordDays >= 0 && days <= _settings.WarnPasswordDays)
        {
            message = days switch
            {
                0 => "Your HMC password expires today: change it now",
                1 => "Your HMC password expires in 1 day",
                _ => $"Your HMC password expires in {days.ToString(CultureInfo.InvariantCulture)} days",
            };
            HmcLog.PasswordExpiring(Logger, api.Endpoint, session.Userid, days);
        }

        return MfaVerdict.Accept(message: message) with { Metadata = metadata };
    }

    // The first configured HMC that answers GET /api/version. Unreachable hosts and hosts that answer
    // nonsense are skipped; when none is usable, any answer that made no sense wins over "unreachable".
    private async Task<(HmcApiClient Api, HmcVersion Version)> SelectHostAsync(CancellationToken cancellationToken)
    {
        var unreachable = new List<string>();
        MfaCommunicationError? firstConfused = null;
        foreach (var endpoint in _settings.Hosts)
        {
            var api = new HmcApiClient(_http, endpoint, _settings.RequestTimeout);
            try
            {
                var version = await api.GetVersionAsync(cancellationToken);
                HmcLog.HostSelected(Logger, endpoint, version.HmcName, version.HmcVersionText, version.ApiVersion);
                return (api, version);
            }
            catch (MfaServiceUnreachable e)
            {
                unreachable.Add(e.Message);
                if (_settings.Hosts.Count > 1)
                {
                    HmcLog.HostNotUsable(Logger, endpoint, e.Message);
                }
            }
            catch (MfaCommunicationError e)
            {
                firstConfused ??= e;
                if (_settings.Hosts.Count > 1)
                {
                    HmcLog.HostNotUsable(Logger, endpoint, e.Message);
                }
            }
        }

        if (firstConfused is not null)
        {
            throw firstConfused;
        }

        throw new MfaServiceUnreachable(_settings.Hosts.Count == 1
            ? unreachable[0]
            : $"none of the {_settings.Hosts.Count} configured HMCs answered: {string.Join("; ", unreachable)}");
    }
}
