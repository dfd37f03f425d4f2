using MfaHost.Configuration;

namespace MfaHost.Pipeline;

/// <summary>The rest of an instance's chain after one step: the next step, finally the plugin.</summary>
internal delegate ValueTask<AuthenticationOutcome> NextStep(LoginContext login, CancellationToken cancellationToken);

/// <summary>
/// One step of a login (username check, whitelist, cache, the plugin, questions, ...). The steps run in the order
/// <c>Hosting/AuthenticationSteps</c> lists them, each around the rest: a step may answer itself without calling
/// <c>next</c> (a DENY, an ACCEPT, a question), hand on a changed <see cref="LoginContext"/>, and look at the outcome
/// that comes back (work after an ACCEPT runs there, innermost step first). See <c>docs/pipeline.md</c>.
/// </summary>
/// <remarks>
/// A login that answers a question re-enters at the top with <see cref="LoginContext.Answering"/> set: a check that
/// was made when the login started lets it through; the step that asked takes the answer. A step that completes
/// without awaiting should return <c>next(...)</c> directly: the hot path then allocates no state machine.
/// </remarks>
internal interface IAuthenticationStep
{
    /// <summary>Whether the instance's settings use this step; a step that is off is left out of that instance's chain.</summary>
    bool IsOn(PipelineSettings settings) => true;

    ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken);
}
