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
[MfaPluginOptions(AcmeOptions.Section, "server_url", "token", "ca_file", "ignore_connection_error", "request_timeout", "push_timeout", "poll_interval", "status_batch")]
public sealed partial class AcmeClient : MfaClient
{
    private readonly AcmeOptions _options;
    private readonly AcmeApi _api;
    private readonly StatusPoller<PushStatus> _poller;

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
        _poller = new StatusPoller<PushStatus>(
            new StatusPollerOptions { Interval = options.PollInterval, MaxBatch = options.StatusBatch, TimeProvider = context.TimeProvider },
            QueryStatusAsync,
            status => status != PushStatus.Waiting);
    }

    /// <summary>
    /// Push: <c>POST /push</c>, then the transaction's state every <c>poll_interval</c> until the user answers.
    /// A parked push is a timer in the SDK's <see cref="StatusPoller{TStatus}"/>: no thread, no request held
    /// open; with <c>status_batch</c> above 1 the pushes due together share one <c>POST /push/status</c>.
    /// </summary>
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

        // The token ends the wait the moment the gateway gives up or the session ends: the push leaves
        // the poller and no poll of it follows.
        var status = await _poller.WaitAsync(txid, _options.PushTimeout, cancellationToken);
        if (status is not { } decided)
        {
            LogPushTimedOut(Logger, request.MfaIdentity, txid);
            return MfaVerdict.Deny(MfaReasons.Timeout, $"No answer to the push notification within {Seconds(_options.PushTimeout)} s");
        }

        LogPushAnswered(Logger, request.MfaIdentity, txid, decided);
        return decided switch
        {
            PushStatus.Approved => true,
            PushStatus.Denied => MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "The push notification was denied"),
            _ => MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "The push notification expired"),
        };
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
        await _poller.DisposeAsync();
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

    // One GET /push/{txid} per push (the API v1), or one POST /push/status for many (status_batch above 1).
    private async Task<IReadOnlyDictionary<string, PushStatus>> QueryStatusAsync(IReadOnlyList<string> txids, CancellationToken cancellationToken) =>
        txids.Count == 1 && _options.StatusBatch == 1
            ? new Dictionary<string, PushStatus>(1, StringComparer.Ordinal) { [txids[0]] = await _api.GetPushStatusAsync(txids[0], cancellationToken) }
            : await _api.GetPushStatusesAsync(txids, cancellationToken);

    private MfaVerdict Rejected(MfaRequest request, AcmeUserRejectedException e)
    {
        LogUserRejected(Logger, request.MfaIdentity, e.Error);
        // The service's own words are precise reasons; the host shows an unknown user the same message as a denied push.
        return MfaVerdict.Deny(e.Error is "unknown_user" or "rate_limited" ? e.Error : MfaReasons.AuthenticationFailed, e.Message);
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "Acme: push {Txid} sent to {Identity}")]
    private static partial void LogPushStarted(ILogger logger, string identity, string txid);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Acme: push {Txid} for {Identity}: {Status}")]
    private static partial void LogPushAnswered(ILogger logger, string identity, string txid, PushStatus status);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "Acme: push {Txid} for {Identity}: no answer within push_timeout")]
    private static partial void LogPushTimedOut(ILogger logger, string identity, string txid);

    [LoggerMessage(EventId = 503, Level = LogLevel.Information, Message = "Acme: the service refused {Identity}: {Error}")]
    private static partial void LogUserRejected(ILogger logger, string identity, string error);
}
