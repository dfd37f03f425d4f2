using System.Globalization;
using MfaHost.Plugins.Acme.Api;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Acme;

/// <summary>
/// The reference plugin: push notifications and one-time passwords through the Acme REST API
/// (instance type <c>acme</c>, configured by the <c>[acme]</c> section). Start here when writing a
/// plugin: configuration is validated in the constructor, failures are the SDK's three exceptions,
/// time comes from <see cref="MfaPluginContext.TimeProvider"/>, and the cancellation token is honoured
/// on every wait. Its tests (tests/MfaHost.Plugins.Acme.Tests) run it against a real HTTP server.
/// </summary>
[MfaPlugin("acme")]
[MfaPluginOptions(AcmeOptions.Section, "server_url", "token", "ca_file", "ignore_connection_error", "request_timeout", "push_timeout", "poll_interval")]
public sealed partial class AcmeClient : MfaClient
{
    private readonly AcmeOptions _options;
    private readonly AcmeApi _api;

    /// <summary>Creates an instance from its configuration.</summary>
    /// <param name="context">What the host hands the instance.</param>
    /// <exception cref="MfaConfigurationException">The <c>[acme]</c> section is wrong; the message names file, option and value.</exception>
    public AcmeClient(MfaPluginContext context)
        : this(context, AcmeOptions.Read((context ?? throw new ArgumentNullException(nameof(context))).Configuration))
    {
    }

    private AcmeClient(MfaPluginContext context, AcmeOptions options)
        : base(context, "Acme", options.IgnoreConnectionError)
    {
        _options = options;
        _api = new AcmeApi(options, CreateHttpClient(context, options));
    }

    /// <summary>Push: <c>POST /push</c>, then <c>GET /push/{txid}</c> every <c>poll_interval</c> until the user answers.</summary>
    protected override async ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken)
    {
        string txid;
        try
        {
            txid = await _api.StartPushAsync(request.MfaIdentity, PushMessage(request), request.PushNumber, cancellationToken);
        }
        catch (AcmeUserRejectedException e)
        {
            return Rejected(request, e);
        }

        LogPushStarted(Logger, request.MfaIdentity, txid);
        var time = Context.TimeProvider;
        var started = time.GetTimestamp();
        var polls = 0;
        while (true)
        {
            var left = _options.PushTimeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                LogPushTimedOut(Logger, request.MfaIdentity, txid, polls);
                return MfaVerdict.Deny(MfaReasons.Timeout, $"No answer to the push notification within {Seconds(_options.PushTimeout)} s");
            }

            // Wait first (nobody answers a push at once). The token ends the wait the moment the
            // gateway gives up or the session ends, so no poll follows a cancellation.
            await Task.Delay(left < _options.PollInterval ? left : _options.PollInterval, time, cancellationToken);
            var status = await _api.GetPushStatusAsync(txid, cancellationToken);
            polls++;
            if (status != PushStatus.Waiting)
            {
                LogPushAnswered(Logger, request.MfaIdentity, txid, status, polls);
            }

            switch (status)
            {
                case PushStatus.Approved:
                    return true;
                case PushStatus.Denied:
                    return MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "The push notification was denied");
                case PushStatus.Expired:
                    return MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "The push notification expired");
            }
        }
    }

    /// <summary>One-time password: <c>POST /otp/verify</c>.</summary>
    protected override async ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.VerifyOtpAsync(request.MfaIdentity, otp, cancellationToken);
        }
        catch (AcmeUserRejectedException e)
        {
            return Rejected(request, e);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>"Login of alice to ssh://db1 from 10.0.0.7"; the parts the gateway did not send are left out.</summary>
    internal static string PushMessage(MfaRequest request)
    {
        var message = $"Login of {request.Username}";
        message += (request.Protocol, request.Target) switch
        {
            (null or "", null or "") => string.Empty,
            (null or "", var target) => $" to {target}",
            (var protocol, null or "") => $" via {protocol}",
            var (protocol, target) => $" to {protocol}://{target}",
        };
        return string.IsNullOrEmpty(request.ClientIp) ? message : $"{message} from {request.ClientIp}";
    }

    private static HttpClient CreateHttpClient(MfaPluginContext context, AcmeOptions options)
    {
        try
        {
            return context.HttpClientFactory.CreateClient(new PluginHttpOptions
            {
                CaFile = options.CaFile,
                Timeout = options.RequestTimeout,
                AllowAutoRedirect = false,
            });
        }
        catch (InvalidOperationException e)
        {
            // The CA bundle exists but is no PEM bundle, or cannot be read.
            throw context.Configuration.Section(AcmeOptions.Section).Error("ca_file", e.Message);
        }
    }

    private MfaVerdict Rejected(MfaRequest request, AcmeUserRejectedException e)
    {
        LogUserRejected(Logger, request.MfaIdentity, e.Error);
        // The service's own words are precise reasons; the host shows an unknown user the same message as a denied push.
        return MfaVerdict.Deny(e.Error is "unknown_user" or "rate_limited" ? e.Error : MfaReasons.AuthenticationFailed, e.Message);
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "Acme: push {Txid} sent to {Identity}")]
    private static partial void LogPushStarted(ILogger logger, string identity, string txid);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Acme: push {Txid} for {Identity}: {Status} (polls: {Polls})")]
    private static partial void LogPushAnswered(ILogger logger, string identity, string txid, PushStatus status, int polls);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "Acme: push {Txid} for {Identity}: no answer within push_timeout (polls: {Polls})")]
    private static partial void LogPushTimedOut(ILogger logger, string identity, string txid, int polls);

    [LoggerMessage(EventId = 503, Level = LogLevel.Information, Message = "Acme: the service refused {Identity}: {Error}")]
    private static partial void LogUserRejected(ILogger logger, string identity, string error);
}
