using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace MfaHost.PluginSdk;

/// <summary>
/// The base class of every plugin. Override <see cref="PushAsync"/> and/or <see cref="OtpAsync"/>;
/// <see cref="ExecuteAuthenticateAsync"/> dispatches on the one-time password (none: push) and turns
/// the SDK's three failure exceptions into verdicts, in this one place.
/// </summary>
/// <remarks>
/// The host calls one instance from many requests at once: keep per-request state in locals or in
/// <see cref="MfaRequest.Session"/>. Honour the <see cref="CancellationToken"/>: it fires when the
/// gateway gives up, the session ends or the request times out.
/// </remarks>
public abstract partial class MfaClient : IAsyncDisposable
{
    /// <summary>Creates the client.</summary>
    /// <param name="context">What the host hands the instance.</param>
    /// <param name="brandName">The service's name as users know it (in messages and logs).</param>
    /// <param name="ignoreConnectionError">Fail open: the host ACCEPTs when the service is unreachable (the instance's own option, e.g. <c>ignore_connection_error</c>).</param>
    protected MfaClient(MfaPluginContext context, string brandName, bool ignoreConnectionError = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(brandName);
        Context = context;
        BrandName = brandName;
        IgnoreConnectionError = ignoreConnectionError;
    }

    /// <summary>The service's name as users know it.</summary>
    public string BrandName { get; }

    /// <summary>
    /// Whether an unreachable service means ACCEPT (fail open) rather than DENY. The plugin answers DENY
    /// <see cref="MfaReasons.ServiceUnreachable"/> either way; the host applies this setting (and its circuit breaker).
    /// </summary>
    public bool IgnoreConnectionError { get; }

    /// <summary>
    /// What the plugin can do. By default: push if <see cref="PushAsync"/> is overridden, OTP if
    /// <see cref="OtpAsync"/> is; override to add <see cref="MfaCapabilities.Password"/>.
    /// </summary>
    public virtual MfaCapabilities Capabilities
    {
        get
        {
            var capabilities = MfaCapabilities.None;
            if (IsOverridden(nameof(PushAsync)))
            {
                capabilities |= MfaCapabilities.Push;
            }

            if (IsOverridden(nameof(OtpAsync)))
            {
                capabilities |= MfaCapabilities.Otp;
            }

            return capabilities;
        }
    }

    /// <summary>What the host handed this instance.</summary>
    protected MfaPluginContext Context { get; }

    /// <summary>The instance's logger.</summary>
    protected ILogger Logger => Context.Logger;

    /// <summary>
    /// Authenticates one request: push when <see cref="MfaRequest.MfaPassword"/> is null or empty,
    /// OTP otherwise. A boolean result becomes ACCEPT or DENY; a verdict passes through unchanged;
    /// the SDK's failures become DENY (<see cref="MfaServiceUnreachable"/>: DENY
    /// <see cref="MfaReasons.ServiceUnreachable"/>, which the host's circuit breaker counts and its fail-open
    /// turns into ACCEPT). Any other exception, including cancellation, propagates to the host.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Fires when the gateway gives up or the request times out.</param>
    public async Task<MfaVerdict> ExecuteAuthenticateAsync(MfaRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var result = string.IsNullOrEmpty(request.MfaPassword)
                ? await PushAsync(request, cancellationToken)
                : await OtpAsync(request, request.MfaPassword, cancellationToken);
            return result.ToVerdict();
        }
        catch (MfaAuthenticationFailure e)
        {
            LogAuthenticationFailure(Logger, BrandName, request.MfaIdentity, e.Message);
            return MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "Authentication failed");
        }
        catch (MfaCommunicationError e)
        {
            LogCommunicationError(Logger, BrandName, e.Message);
            return MfaVerdict.Deny(MfaReasons.CommunicationError, "Communication error");
        }
        catch (MfaServiceUnreachable e)
        {
            LogUnreachable(Logger, BrandName, e.Message);
            return MfaVerdict.Deny(MfaReasons.ServiceUnreachable, "Backend service unreachable");
        }
    }

    /// <summary>
    /// The administrative operations this instance offers operators (none by default); override together with
    /// <see cref="AdminAsync"/>. The host lists them and runs them for <c>[access] admin_uids</c> only.
    /// </summary>
    public virtual IReadOnlyList<MfaAdminOperation> AdminOperations => [];

    /// <summary>
    /// Runs the administrative operation <paramref name="operation"/>: an operation not in <see cref="AdminOperations"/>
    /// is refused with <see cref="MfaAdminErrorKind.UnknownOperation"/> without calling the plugin.
    /// </summary>
    /// <param name="operation">The operation's name.</param>
    /// <param name="arguments">Its arguments (a JSON object; empty when none were given).</param>
    /// <param name="cancellationToken">Fires when the caller gives up or the host's time limit is reached.</param>
    /// <returns>The result, JSON for the operator's tools (null for none). It may hold a secret meant for the operator
    /// (an enrollment's seed): the host passes it to the caller and never logs it.</returns>
    /// <exception cref="MfaAdminException">The operation is unknown, its arguments are wrong, or it was refused.</exception>
    public async Task<JsonNode?> ExecuteAdminAsync(string operation, JsonObject arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(arguments);
        var operations = AdminOperations;
        if (!operations.Any(o => string.Equals(o.Name, operation, StringComparison.Ordinal)))
        {
            var offered = operations.Count == 0 ? "none" : string.Join(", ", operations.Select(o => o.Name));
            throw new MfaAdminException(MfaAdminErrorKind.UnknownOperation, $"{BrandName} offers no administrative operation '{operation}' (it offers: {offered})");
        }

        return await AdminAsync(operation, arguments, cancellationToken);
    }

    /// <summary>The gateway's session ended: release what the plugin holds for it. Never throws to the gateway.</summary>
    /// <param name="session">The session.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual ValueTask SessionEndedAsync(MfaSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Releases the instance's resources (at shutdown or unload).</summary>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Push: notify the user's device and wait for the answer. The base version reports "not supported".</summary>
    /// <param name="request">The request; <see cref="MfaRequest.MfaIdentity"/> names the user at the service.</param>
    /// <param name="cancellationToken">Fires when the gateway gives up: stop polling at once.</param>
    protected virtual ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<MfaResult>(MfaVerdict.Deny(MfaReasons.NotSupported, $"{BrandName} does not support push notifications"));

    /// <summary>One-time password: check <paramref name="otp"/>. The base version reports "not supported".</summary>
    /// <param name="request">The request.</param>
    /// <param name="otp">The code the user typed. A secret: never log it.</param>
    /// <param name="cancellationToken">Fires when the gateway gives up.</param>
    protected virtual ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken) =>
        ValueTask.FromResult<MfaResult>(MfaVerdict.Deny(MfaReasons.NotSupported, $"{BrandName} does not support one-time passwords"));

    /// <summary>
    /// Runs one of <see cref="AdminOperations"/> (the base class has checked the name). The base version refuses.
    /// Throw <see cref="MfaAdminException"/> for wrong arguments or a refusal; its message reaches the operator.
    /// </summary>
    /// <param name="operation">The operation's name, one of <see cref="AdminOperations"/>.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="cancellationToken">Fires when the caller gives up or the host's time limit is reached.</param>
    /// <returns>The result (null for none).</returns>
    protected virtual ValueTask<JsonNode?> AdminAsync(string operation, JsonObject arguments, CancellationToken cancellationToken) =>
        throw new MfaAdminException(MfaAdminErrorKind.UnknownOperation, $"{BrandName} offers no administrative operation '{operation}'");

    private bool IsOverridden(string methodName)
    {
        var method = GetType().GetMethod(methodName, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);
        return method is not null && method.GetBaseDefinition().DeclaringType != method.DeclaringType;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "{Brand}: authentication failed for {Identity}: {Reason}")]
    private static partial void LogAuthenticationFailure(ILogger logger, string brand, string identity, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "{Brand}: communication error, the service answered something this plugin does not understand (protocol mismatch; maybe upgrade the plugin): {Reason}")]
    private static partial void LogCommunicationError(ILogger logger, string brand, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "{Brand}: service unreachable: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string brand, string reason);
}
