using System.Text.Json.Serialization;
using MfaHost.Limits;
using MfaHost.Metrics;
using MfaHost.Rpc;

namespace MfaHost.Protocol.Methods;

/// <summary>
/// <c>stats</c>: the figures of the <c>MfaHost</c> meter (as <c>/metrics</c> exports them) and the answer-time
/// percentiles per instance, for an operator without a Prometheus server. No user names. The host's owner
/// and root only (it is in no <c>[access]</c> list).
/// </summary>
internal sealed class StatsMethod(MeterReadings readings, HostStatus status, DecisionHistory history, LimitStatus limits) : IGatewayMethod
{
    public string Name => "stats";

    public bool CountsTowardLimit => false;

    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var held = await limits.ReadAllAsync(cancellationToken);
        var result = new StatsResult(
            HostVersion.Value,
            (long)status.Uptime.TotalSeconds,
            readings.Read().Select(r => new StatsSeries(r.Instrument, r.Labels, r.Value, r.Sum)).ToList(),
            history.Latencies().Select(l => new StatsLatency(l.Instance, l.Samples, l.P50 * 1000, l.P90 * 1000, l.P99 * 1000, l.Max * 1000)).ToList(),
            held.Select(l => new StatsLimits(l.Instance, l.LockedOut, l.PushRateLimited)).ToList());
        return RpcResult.Of(result, StatsJsonContext.Default.StatsResult);
    }
}

/// <summary>The result of <c>stats</c>.</summary>
internal sealed record StatsResult(string Version, long UptimeS, IReadOnlyList<StatsSeries> Series, IReadOnlyList<StatsLatency> Latency, IReadOnlyList<StatsLimits>? Limits = null);

/// <summary>How many identities of one instance the host-enforced limits hold back now (<c>[lockout]</c>, <c>[push_limit]</c>).</summary>
internal sealed record StatsLimits(string Instance, int LockedOut, int PushRateLimited);

/// <summary>
/// One series of an instrument: a counter's total or a gauge's value in <c>value</c>; for a histogram the count
/// of measurements in <c>value</c> and their sum (seconds) in <c>sum</c>.
/// </summary>
internal sealed record StatsSeries(string Name, IReadOnlyDictionary<string, string> Labels, double Value, double? Sum);

/// <summary>Answer times of authenticate for one instance over its last answers, in milliseconds.</summary>
internal sealed record StatsLatency(string Instance, int Samples, double P50Ms, double P90Ms, double P99Ms, double MaxMs);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatsResult))]
internal sealed partial class StatsJsonContext : JsonSerializerContext;
