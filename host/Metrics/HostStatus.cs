using MfaHost.Cli;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.Resilience;
using MfaHost.Protocol;

namespace MfaHost.Metrics;

/// <summary>
/// The host's state as read at one moment, for the gauges, the <c>stats</c> method and the status page:
/// the instances with their status and circuit, requests in flight, open conversations, tracked sessions.
/// </summary>
internal sealed class HostStatus(ActiveCatalog catalog, InFlightRequests inFlight, AuthenticationPipeline pipeline, InstanceCircuits circuits, TimeProvider timeProvider)
{
    private readonly long _started = timeProvider.GetTimestamp();


    public TimeSpan Uptime => timeProvider.GetElapsedTime(_started);

    /// <summary>Requests that count toward <c>max_in_flight</c> (authenticate) being served now.</summary>
    public int InFlight => inFlight.Count;

    /// <summary>NEEDINFO questions waiting for their answer.</summary>
    public int OpenConversations => pipeline.Conversations.Count;

    /// <summary>Gateway sessions the host tracks (until <c>session_ended</c> or idle expiry).</summary>
    public int TrackedSessions => pipeline.Lifetime.Sessions.Count;

    public IReadOnlyList<InstanceStatus> Instances() =>
        catalog.Current.Instances
            .Select(i => new InstanceStatus(
                i.Name,
                i.Type,
                i.Version,
                i.IsLoaded ? "loaded" : "failed",
                i.IsLoaded ? circuits.StateOf(i) : null,
                i.IsLoaded ? null : i.Error))
            .ToList();
}

/// <summary>One configured instance: <paramref name="Status"/> is <c>loaded</c> or <c>failed</c>; the circuit is known for loaded ones.</summary>
internal sealed record InstanceStatus(string Name, string Type, string Version, string Status, CircuitState? Circuit, string? Error)
{
    public string? CircuitWord => Circuit is { } state ? state.Word() : null;
}
