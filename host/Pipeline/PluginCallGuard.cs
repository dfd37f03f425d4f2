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
/// answered in time), and what a failing plugin becomes. A call stopped by the request's cancellation propagates it;
/// one stopped by the session's end or the instance's retirement is answered by <see cref="CancellationAnswers"/>.
/// </summary>
internal sealed partial class PluginCallGuard(InstanceCircuits circuits, HostSettings hostSettings, TimeProvider timeProvider, ILogger<PluginCallGuard> logger)
{
    private static readonly MfaVerdict PluginError = MfaVerdict.Deny(MfaReasons.PluginError, "Internal error in plugin");
    private static readonly MfaVerdict PluginTimeout = MfaVerdict.Deny(MfaReasons.Timeout, "No answer from the MFA service in time");
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
        var cancellation = RequestCancellation.Of(cancellationToken);
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
            // The plugin did not return within request_timeout (it may still hold a thread).
            return Stopped(CancellationCause.RequestTimeout);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The request's own cancellation: whoever answers the request names its cause.
            throw;
        }
        catch (OperationCanceledException) when (sessionEnded.IsCancellationRequested)
        {
            return Stopped(CancellationCause.SessionEnded);
        }
        catch (OperationCanceledException) when (instance.RetiredToken.IsCancellationRequested)
        {
            return Stopped(CancellationCause.InstanceRetired);
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

        MfaVerdict Stopped(CancellationCause cause) => CancellationAnswers.AnswerLogin(
            logger, cause, cancellation, instance.Name, request.Username, request.Session.Id, cancellation?.Elapsed ?? timeProvider.GetElapsedTime(started), hostSettings.RequestTimeout);
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

    [LoggerMessage(EventId = 422, Level = LogLevel.Warning, Message = "{Instance}: service unreachable, failing open (ignore_connection_error): {Why}")]
    private static partial void LogFailOpen(ILogger logger, string instance, string why);

    [LoggerMessage(EventId = 423, Level = LogLevel.Information, Message = "{Instance}: answering service unreachable: {Why}")]
    private static partial void LogUnreachable(ILogger logger, string instance, string why);
}
