using System.Runtime.CompilerServices;
using MfaHost.Configuration;

namespace MfaHost.Pipeline;

/// <summary>
/// Each instance's chain of steps: the steps in their order, less those its settings turn off
/// (<see cref="IAuthenticationStep.IsOn"/>), composed once per settings object (a reload brings new settings, so new chains).
/// </summary>
internal sealed class StepChains
{
    private static readonly NextStep NoStepDecided = static (_, _) =>
        throw new InvalidOperationException("no step decided the login: the plugin step must be the last");

    private readonly IAuthenticationStep[] _steps;
    private readonly ConditionalWeakTable<PipelineSettings, NextStep> _chains = new();
    private readonly ConditionalWeakTable<PipelineSettings, NextStep>.CreateValueCallback _compose;

    public StepChains(IEnumerable<IAuthenticationStep> steps)
    {
        _steps = [.. steps];
        _compose = Compose;
    }

    public IReadOnlyList<IAuthenticationStep> Steps => _steps;

    /// <summary>The chain of the instance whose settings are <paramref name="settings"/>.</summary>
    public NextStep For(PipelineSettings settings) => _chains.GetValue(settings, _compose);

    private NextStep Compose(PipelineSettings settings)
    {
        var next = NoStepDecided;
        for (var i = _steps.Length - 1; i >= 0; i--)
        {
            var step = _steps[i];
            if (step.IsOn(settings))
            {
                var inner = next;
                next = (login, cancellationToken) => step.RunAsync(login, inner, cancellationToken);
            }
        }

        return next;
    }
}
