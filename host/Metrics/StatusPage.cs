using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using MfaHost.Configuration;

namespace MfaHost.Metrics;

/// <summary>
/// The status page at <c>/</c>: instances, decisions per minute (<see cref="DecisionChart"/>), answer-time
/// percentiles and the last decisions. One self-contained HTML document that reloads itself every
/// <see cref="RefreshSeconds"/> seconds: no script, no font, nothing fetched from elsewhere.
/// </summary>
internal sealed class StatusPage(HostStatus status, DecisionHistory history, MetricsSettings settings, TimeProvider timeProvider)
{
    public const int RefreshSeconds = 10;

    /// <summary>What the page shows in place of a user name unless <c>[metrics] show_users = yes</c>.</summary>
    public const string HiddenUser = "(hidden)";

    /// <summary>No script may run and nothing may load from elsewhere, whatever a name on the page holds.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public string Render()
    {
        var now = timeProvider.GetUtcNow();
        var instances = status.Instances();
        var page = new StringBuilder(16 * 1024);
        page.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        page.Append(Inv($"<meta http-equiv=\"refresh\" content=\"{RefreshSeconds}\">"));
        page.Append("<meta name=\"viewport\" content=\"width=device-width\"><title>MfaHost status</title><style>");
        page.Append("body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}");
        page.Append("th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f0f0f0}td.num{text-align:right}");
        page.Append(".ok{color:#2e7d32}.bad{color:#c62828;font-weight:bold}.warn{color:#b26a00;font-weight:bold}");
        page.Append(".legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:middle}");
        page.Append("</style></head><body>");
        page.Append(Inv($"<h1>MfaHost {Html.Encode(HostVersion.Value)}</h1>"));
        page.Append(Inv($"<p id=\"summary\">Up {Uptime(status.Uptime)} · {status.InFlight} in flight · {status.OpenConversations} open conversations · {status.TrackedSessions} tracked sessions · as of {now:yyyy-MM-dd HH:mm:ss} UTC (refreshes every {RefreshSeconds} s)</p>"));

        page.Append("<h2>Instances</h2><table id=\"instances\"><thead><tr><th>Instance</th><th>Type</th><th>Version</th><th>Status</th><th>Circuit</th></tr></thead><tbody>");
        if (instances.Count == 0)
        {
            page.Append("<tr><td colspan=\"5\">No plugin instance is configured.</td></tr>");
        }

        foreach (var instance in instances)
        {
            var statusCell = instance.Error is { } error
                ? Inv($"<span class=\"bad\">{Html.Encode(instance.Status)}</span>: {Html.Encode(error)}")
                : Inv($"<span class=\"ok\">{Html.Encode(instance.Status)}</span>");
            var circuit = instance.CircuitWord ?? "–";
            var circuitClass = circuit switch { "open" => "bad", "half_open" => "warn", "closed" => "ok", _ => string.Empty };
            page.Append(Inv($"<tr><td>{Html.Encode(instance.Name)}</td><td>{Html.Encode(instance.Type)}</td><td>{Html.Encode(instance.Version)}</td><td>{statusCell}</td><td class=\"{circuitClass}\">{Html.Encode(circuit)}</td></tr>"));
        }

        page.Append("</tbody></table>");

        page.Append(Inv($"<h2>Decisions per minute</h2><p class=\"legend\">Last {DecisionHistory.Minutes} minutes:"));
        page.Append(Inv($"<span style=\"background:{DecisionChart.AcceptColor}\"></span>ACCEPT<span style=\"background:{DecisionChart.DenyColor}\"></span>DENY<span style=\"background:{DecisionChart.NeedInfoColor}\"></span>NEEDINFO</p>"));
        page.Append(DecisionChart.Render(history.PerMinute()));

        var latencies = history.Latencies();
        page.Append(Inv($"<h2>Answer times</h2><p>Per instance, over its last {DecisionHistory.LatencySamples} answers to authenticate.</p>"));
        page.Append("<table id=\"latency\"><thead><tr><th>Instance</th><th>Answers</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr></thead><tbody>");
        if (latencies.Count == 0)
        {
            page.Append("<tr><td colspan=\"6\">No answers yet.</td></tr>");
        }

        foreach (var latency in latencies)
        {
            page.Append(Inv($"<tr><td>{Html.Encode(latency.Instance)}</td><td class=\"num\">{latency.Samples}</td><td class=\"num\">{Ms(latency.P50)}</td><td class=\"num\">{Ms(latency.P90)}</td><td class=\"num\">{Ms(latency.P99)}</td><td class=\"num\">{Ms(latency.Max)}</td></tr>"));
        }

        page.Append("</tbody></table>");

        var recent = history.Recent();
        page.Append(Inv($"<h2>Last decisions</h2><p>The last {DecisionHistory.RecentCapacity}, newest first{(settings.ShowUsers ? string.Empty : "; user names are hidden ([metrics] show_users)")}.</p>"));
        page.Append("<table id=\"decisions\"><thead><tr><th>Time (UTC)</th><th>Instance</th><th>User</th><th>Verdict</th><th>Reason</th><th>Took</th></tr></thead><tbody>");
        if (recent.Count == 0)
        {
            page.Append("<tr><td colspan=\"6\">No decisions yet.</td></tr>");
        }

        foreach (var decision in recent)
        {
            var verdictClass = decision.Verdict switch { "ACCEPT" => "ok", "DENY" => "bad", _ => "warn" };
            var user = settings.ShowUsers ? decision.Username : HiddenUser;
            page.Append(Inv($"<tr><td>{decision.Time:yyyy-MM-dd HH:mm:ss}</td><td>{Html.Encode(decision.Instance)}</td><td>{Html.Encode(user)}</td><td class=\"{verdictClass}\">{decision.Verdict}</td><td>{Html.Encode(decision.Reason)}</td><td class=\"num\">{Ms(decision.Elapsed.TotalSeconds)}</td></tr>"));
        }

        page.Append("</tbody></table><p><a href=\"/metrics\">Prometheus metrics</a></p></body></html>\n");
        return page.ToString();
    }

    private static string Ms(double seconds) => (seconds * 1000).ToString(seconds < 0.01 ? "0.00" : "0", CultureInfo.InvariantCulture) + " ms";

    private static string Uptime(TimeSpan uptime) =>
        uptime.TotalDays >= 1 ? Inv($"{(int)uptime.TotalDays}d {uptime.Hours}h") : uptime.TotalHours >= 1 ? Inv($"{uptime.Hours}h {uptime.Minutes}m") : Inv($"{uptime.Minutes}m {uptime.Seconds}s");

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
