using MfaHost.Pipeline;
using MfaHost.PluginSdk;

namespace MfaHost.Metrics;

/// <summary>
/// The pipeline as the protocol layer sees it, with every answer to <c>authenticate</c> counted and timed.
/// A decorator rather than a step: it sees the final verdict whatever step decided it, and the pipeline
/// itself stays unchanged.
/// </summary>
internal sealed class MeasuredPipeline(IAuthenticationPipeline inner, HostMetrics metrics, TimeProvider timeProvider) : IAuthenticationPipeline
{
    public async Task<AuthenticationOutcome> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = timeProvider.GetTimestamp();
        var cancellation = RequestCancellation.Of(cancellationToken);
        AuthenticationOutcome outcome;
        try
        {
            // WaitAsync as the protocol layer does: a plugin that ignores its token is answered (and counted) as timed out.
            outcome = await inner.AuthenticateAsync(request, cancellationToken).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The protocol layer answers it (and logs why): counted here as the DENY it answers.
            var answer = CancellationAnswers.Verdict(cancellation?.Cause ?? CancellationCause.RequestTimeout);
            metrics.Decided(request.Plugin, answer.Kind, answer.Reason, request.Username, timeProvider.GetElapsedTime(started));
            throw;
        }

        metrics.Decided(request.Plugin, outcome.Verdict.Kind, outcome.Verdict.Reason, request.Username, timeProvider.GetElapsedTime(started));
        return outcome;
    }

    public Task<bool> SessionEndedAsync(string sessionId, CancellationToken cancellationToken) =>
        inner.SessionEndedAsync(sessionId, cancellationToken);
}
