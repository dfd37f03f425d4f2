using System.Runtime.CompilerServices;
using MfaHost.Plugins;
using Microsoft.Extensions.Logging;
using MfaHost.Configuration;

namespace MfaHost.Resilience;

/// <summary>
/// The circuit breaker of each plugin instance, created on first use with the instance's <c>[circuit]</c> settings.
/// Keyed by the instance object: a reloaded instance starts closed, and a dropped one takes its breaker with it.
/// </summary>
internal sealed class InstanceCircuits(TimeProvider timeProvider, ILoggerFactory loggerFactory)
{
    private readonly ConditionalWeakTable<PluginInstance, ServiceCircuitBreaker> _breakers = [];
    private readonly ILogger _logger = loggerFactory.CreateLogger("MfaHost.Resilience");

    public ServiceCircuitBreaker For(PluginInstance instance, CircuitSettings settings) =>
        _breakers.GetValue(instance, i => ServiceCircuitBreaker.Create(settings, timeProvider, _logger, i.Name));

    /// <summary>The instance's state; closed when nothing has called it yet.</summary>
    public CircuitState StateOf(PluginInstance instance) =>
        _breakers.TryGetValue(instance, out var breaker) ? breaker.State : CircuitState.Closed;
}
