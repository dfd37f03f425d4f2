using MfaHost.Configuration;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.Resilience;
using MfaHost.State;
using Microsoft.Extensions.Logging;

namespace MfaHost.Pipeline;

/// <summary>
/// The host's policy around one call of a plugin instance: the instance's circuit breaker (<c>[circuit]</c>),
/// fail-open for an unreachable service (the instance's <see cref="MfaClient.IgnoreConnectionError"/>), the
/// <c>request_timeout</c> bound (the plugin runs off the caller's thread, so one that blocks its thread is still
/// answered in time), and what a cancelled, timed-out or failing plugin becomes. Every timeout is logged with the
/// instance and the limit that fired.
/// </summary>
internal sealed partial class PluginCallGuard(InstanceCircuits circuits, HostSettings hostSettings, TimeProvider timeProvider, ILogger<PluginCallGuard> logger)
{
    private static readonly MfaVerdict PluginError = MfaVerdict.Deny(MfaReasons.PluginError, "Internal error in plugin");
    private static readonly MfaVerdict SessionEnded = MfaVerdict.Deny(ReasonWords.SessionEnded, "The session ended");
    private static readonly MfaVerdict PluginTimeout = MfaVerdict.Deny(MfaReasons.Timeout, "No answer from the MFA service in time");
    private static readonly MfaVerdict Retired = MfaVerdict.Deny(ReasonWords.ShuttingDown, "The plugin instance was replaced; try again");
    private static readonly MfaVerdict Unreachable = MfaVerdict.Deny(MfaReasons.ServiceUnreachable, "Backend service unreachable");

    /// <summary>
    /// Authenticates <paramref name="request"/> with the instance's plugin. Throws <see cref="OperationCanceledException"/>
    /// only for the caller's cancellation (the request's timeout or closed connection); everything else is a verdict.
    /// </summary>
    public async Task<MfaVerdict> AuthenticateAsync(PluginInstance instance, PipelineSettings settings, MfaRequest request, CancellationToken cancellationToken, CancellationToken sessionEnded)
    {
        var client = instance.Client!;
        var circuit = circuits.For(instance, settings.Circuit);
        if (!circuit.TryEnter(out var isProbe, out var why))
        {
            return WhenUnreachable(instance, client, why);
        }

        var outcome = ServiceOutcome.Abandoned;
        var started = timeProvider.GetTimestamp();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, sessionEnded, instance.RetiredToken);
        try
        {
            var verdict = await BoundedPluginCall.RunAsync(ct => client.ExecuteAuthenticateAsync(request, ct), hostSettings.RequestTimeout, timeProvider, linked.Token);
            if (verdict.Reason == MfaReasons.ServiceUnreachable)
            {
                outcome = ServiceOutcome.Unreachable;
                return WhenUnreachable(instance, client, "the plugin could not reach its service");
            }

            // Any other answer means the service answered (authentication failures and communication errors included).
            outcome = ServiceOutcome.Answered;
            return verdict;
        }
        catch (TimeoutException)
        {
            LogRequestTimeout(logger, instance.Name, request.Username, request.Session.Id, hostSettings.RequestTimeout);
            return PluginTimeout;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var elapsed = timeProvider.GetElapsedTime(started);
            var which = elapsed >= hostSettings.RequestTimeout * 0.99
                ? $"request_timeout ({hostSettings.RequestTimeout.TotalSeconds:0.###} s) reached"
                : "the gateway closed the connection or the host is stopping";
            LogCallerCancelled(logger, instance.Name, request.Username, request.Session.Id, elapsed, which);
            throw;
        }
        catch (OperationCanceledException) when (sessionEnded.IsCancellationRequested)
        {
            PipelineLog.PluginStoppedBySessionEnd(logger, instance.Name, request.Username, request.Session.Id);
            return SessionEnded;
        }
        catch (OperationCanceledException) when (instance.RetiredToken.IsCancellationRequested)
        {
            // A reload replaced the instance and it drained for longer than drain_timeout.
            return Retired;
        }
        catch (OperationCanceledException e)
        {
            // Not the host's cancellation: the plugin's own limit (an HttpClient timeout, say).
            PipelineLog.PluginTimedOut(logger, e, instance.Name, request.Username, request.Session.Id);
            return PluginTimeout;
        }
        catch (Exception e) when (StateUnavailableException.Find(e) is { } unavailable)
        {
            // The plugin's state store failed (even if the plugin wrapped the error): the pipeline answers DENY state_unavailable.
            throw unavailable;
        }
#pragma warning disable CA1031 // A plugin's bug must not take the host down: it becomes DENY plugin_error.
        catch (Exception e)
#pragma warning restore CA1031
        {
            PipelineLog.PluginThrew(logger, e, instance.Name, request.Username, request.Session.Id);
            return PluginError;
        }
        finally
        {
            // Cancellation and plugin bugs stay Abandoned: they tell nothing about the service.
            circuit.Record(outcome, isProbe);
        }
    }

    private MfaVerdict WhenUnreachable(PluginInstance instance, MfaClient client, string why)
    {
        if (!client.IgnoreConnectionError)
        {
            LogUnreachable(logger, instance.Name, why);
            return Unreachable;
        }

        LogFailOpen(logger, instance.Name, why);
        return MfaVerdict.Accept(MfaReasons.AcceptedServiceUnreachable, $"{client.BrandName} is not reachable, fallback enabled");
    }

    [LoggerMessage(EventId = 420, Level = LogLevel.Warning, Message = "{Instance}: no answer from the plugin for user {Username} (session {SessionId}) within request_timeout ({Limit}); answering timeout (the plugin may still hold a thread)")]
    private static partial void LogRequestTimeout(ILogger logger, string instance, string username, string sessionId, TimeSpan limit);

    [LoggerMessage(EventId = 421, Level = LogLevel.Warning, Message = "{Instance}: the request for user {Username} (session {SessionId}) was cancelled after {Elapsed}: {Which}")]
    private static partial void LogCallerCancelled(ILogger logger, string instance, string username, string sessionId, TimeSpan elapsed, string which);

    [LoggerMessage(EventId = 422, Level = LogLevel.Warning, Message = "{Instance}: service unreachable, failing open (ignore_connection_error): {Why}")]
    private static partial void LogFailOpen(ILogger logger, string instance, string why);

    [LoggerMessage(EventId = 423, Level = LogLevel.Information, Message = "{Instance}: answering service unreachable: {Why}")]
    private static partial void LogUnreachable(ILogger logger, string instance, string why);
}
