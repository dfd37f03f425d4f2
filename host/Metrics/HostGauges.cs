using System.Diagnostics.Metrics;
using MfaHost.PluginSdk;
using MfaHost.Resilience;

namespace MfaHost.Metrics;

/// <summary>The observable instruments of the meter: read from <see cref="HostStatus"/> whenever metrics are collected.</summary>
internal sealed class HostGauges
{
    public HostGauges(HostMetrics metrics, HostStatus status)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var meter = metrics.Meter;
        meter.CreateObservableGauge("mfahost.requests.in_flight", () => status.InFlight, "{request}", "authenticate requests being served");
        meter.CreateObservableGauge("mfahost.conversations.open", () => status.OpenConversations, "{conversation}", "NEEDINFO questions waiting for their answer");
        meter.CreateObservableGauge("mfahost.sessions.tracked", () => status.TrackedSessions, "{session}", "Gateway sessions the host tracks");
        meter.CreateObservableGauge(
            "mfahost.circuit.state",
            () => status.Instances()
                .Where(i => i.Circuit is not null)
                .Select(i => new Measurement<int>(CircuitValue(i.Circuit!.Value), new KeyValuePair<string, object?>("instance", i.Name))),
            "{state}",
            "Circuit breaker per instance: 0 closed, 1 half open, 2 open");
        meter.CreateObservableGauge(
            "mfahost.instances",
            () => status.Instances()
                .GroupBy(i => i.Status, StringComparer.Ordinal)
                .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("status", g.Key))),
            "{instance}",
            "Configured plugin instances, by status (loaded, failed)");
    }

    internal static int CircuitValue(CircuitState state) => state switch
    {
        CircuitState.HalfOpen => 1,
        CircuitState.Open => 2,
        _ => 0,
    };
}
