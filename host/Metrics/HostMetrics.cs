using System.Diagnostics.Metrics;
using MfaHost.PluginSdk;

namespace MfaHost.Metrics;

/// <summary>
/// The meter <c>MfaHost</c> and every instrument the host records, in one place. Other parts call the small
/// methods here (never the instruments), so names, units and labels stay consistent. Labels are instance
/// names, method names, verdicts and reason words only: never a user name or anything a user typed.
/// </summary>
internal sealed class HostMetrics
{
    public const string MeterName = "MfaHost";

    // Bucket bounds in seconds: a local OTP check takes microseconds, a push waits for a person (up to request_timeout).
    private static readonly double[] DurationBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _authenticateDuration;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _auditWriteFailures;
    private readonly Counter<long> _pluginLoadFailures;

    public HostMetrics(IMeterFactory meterFactory, DecisionHistory history)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        History = history;
        _decisions = Meter.CreateCounter<long>(
            "mfahost.decisions", "{decision}", "Answers to authenticate, by instance, verdict (ACCEPT, DENY, NEEDINFO) and reason");
        _authenticateDuration = Meter.CreateHistogram(
            "mfahost.authenticate.duration", "s", "Time to answer authenticate, by instance and verdict",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _requestDuration = Meter.CreateHistogram(
            "mfahost.request.duration", "s", "Time to answer a gateway socket request, by method",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _reloads = Meter.CreateCounter<long>("mfahost.reloads", "{reload}", "Configuration reloads, by result (ok, failed)");
        _auditWriteFailures = Meter.CreateCounter<long>("mfahost.audit.write_failures", "{failure}", "Audit records that could not be written");
        _pluginLoadFailures = Meter.CreateCounter<long>("mfahost.plugin.load_failures", "{failure}", "Plugin instances that failed to load, by instance and type");
    }

    /// <summary>The meter; observable instruments (gauges) are added to it by <see cref="HostGauges"/>.</summary>
    public Meter Meter { get; }

    /// <summary>The recent decisions (with user names) for the status page; never exported as metrics.</summary>
    public DecisionHistory History { get; }

    /// <summary>Zero series for the counters that rarely move, so that a dashboard sees 0 rather than nothing.</summary>
    public void StartSeries()
    {
        _reloads.Add(0, new KeyValuePair<string, object?>("result", "ok"));
        _reloads.Add(0, new KeyValuePair<string, object?>("result", "failed"));
        _auditWriteFailures.Add(0);
    }

    /// <summary>One answer to <c>authenticate</c>. The user name goes to the page's history only, never to a label.</summary>
    public void Decided(string instance, MfaVerdictKind verdict, string reason, string username, TimeSpan elapsed)
    {
        var verdictWord = VerdictWord(verdict);
        var reasonWord = LabelValues.Word(reason);
        _decisions.Add(1, new("instance", instance), new("verdict", verdictWord), new("reason", reasonWord));
        _authenticateDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("instance", instance), new("verdict", verdictWord));
        History.Add(instance, verdictWord, reasonWord, username, elapsed);
    }

    /// <summary>One gateway socket request answered (any method the host serves).</summary>
    public void RequestCompleted(string method, TimeSpan elapsed) =>
        _requestDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("method", LabelValues.Word(method)));

    /// <summary>A configuration reload finished (the <c>reload</c> work calls this).</summary>
    public void ReloadFinished(bool succeeded) =>
        _reloads.Add(1, new KeyValuePair<string, object?>("result", succeeded ? "ok" : "failed"));

    /// <summary>An audit record could not be written (the audit trail calls this).</summary>
    public void AuditWriteFailed() => _auditWriteFailures.Add(1);

    /// <summary>A plugin instance failed to load (at start-up, and on each reload).</summary>
    public void PluginLoadFailed(string instance, string type) =>
        _pluginLoadFailures.Add(1, new KeyValuePair<string, object?>("instance", instance), new("type", LabelValues.Word(type)));

    internal static string VerdictWord(MfaVerdictKind verdict) => verdict switch
    {
        MfaVerdictKind.Accept => "ACCEPT",
        MfaVerdictKind.NeedInfo => "NEEDINFO",
        _ => "DENY",
    };
}
