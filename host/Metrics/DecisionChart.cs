using System.Globalization;
using System.Text;

namespace MfaHost.Metrics;

/// <summary>
/// Decisions per minute by verdict as an inline SVG bar chart (stacked: ACCEPT, DENY, NEEDINFO), rendered on
/// the server so the page needs no script, font or file from anywhere. Written here because the charting
/// packages draw in the browser (JavaScript) or pull in an imaging stack for a few rectangles.
/// </summary>
internal static class DecisionChart
{
    public const string AcceptColor = "#2e7d32";
    public const string DenyColor = "#c62828";
    public const string NeedInfoColor = "#f9a825";

    private const int Width = 720;
    private const int Height = 200;
    private const int Left = 40;
    private const int Bottom = 24;
    private const int Top = 10;

    public static string Render(IReadOnlyList<MinuteCounts> minutes)
    {
        ArgumentNullException.ThrowIfNull(minutes);
        var max = Math.Max(1, minutes.Count == 0 ? 0 : minutes.Max(m => m.Total));
        var scale = NiceCeiling(max);
        var plotHeight = Height - Top - Bottom;
        var slot = (double)(Width - Left - 4) / Math.Max(1, minutes.Count);
        var total = minutes.Sum(m => m.Total);
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"decision-chart\" role=\"img\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"11\">"));
        svg.Append(Inv($"<title>Decisions per minute by verdict, last {minutes.Count} minutes: {total} in all</title>"));

        // Axes and the scale: 0, half and top.
        foreach (var fraction in new[] { 0.0, 0.5, 1.0 })
        {
            var y = Top + plotHeight - (fraction * plotHeight);
            svg.Append(Inv($"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width}\" y2=\"{y:0.#}\" stroke=\"#ccc\" stroke-width=\"1\"/>"));
            svg.Append(Inv($"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" fill=\"#555\">{scale * fraction:0.#}</text>"));
        }

        for (var i = 0; i < minutes.Count; i++)
        {
            var minute = minutes[i];
            var x = Left + 2 + (i * slot);
            var y = (double)(Top + plotHeight);
            foreach (var (count, color, verdict) in new[] { (minute.Accept, AcceptColor, "ACCEPT"), (minute.Deny, DenyColor, "DENY"), (minute.NeedInfo, NeedInfoColor, "NEEDINFO") })
            {
                if (count == 0)
                {
                    continue;
                }

                var h = count * plotHeight / scale;
                y -= h;
                var at = DateTimeOffset.FromUnixTimeSeconds(minute.Minute * 60).ToString("HH:mm", CultureInfo.InvariantCulture);
                svg.Append(Inv($"<rect class=\"bar {verdict.ToLowerInvariant()}\" x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{Math.Max(1, slot - 2):0.##}\" height=\"{h:0.##}\" fill=\"{color}\"><title>{at} UTC {verdict}: {count}</title></rect>"));
            }
        }

        if (minutes.Count > 0)
        {
            var first = DateTimeOffset.FromUnixTimeSeconds(minutes[0].Minute * 60).ToString("HH:mm", CultureInfo.InvariantCulture);
            svg.Append(Inv($"<text x=\"{Left}\" y=\"{Height - 6}\" fill=\"#555\">{first} UTC</text>"));
            svg.Append(Inv($"<text x=\"{Width}\" y=\"{Height - 6}\" text-anchor=\"end\" fill=\"#555\">now</text>"));
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    // 1, 2, 5, 10, 20, 50, ...: a top of the scale a person reads at a glance.
    private static int NiceCeiling(int value)
    {
        var step = 1;
        while (true)
        {
            foreach (var factor in new[] { 1, 2, 5 })
            {
                if (step * factor >= value)
                {
                    return step * factor;
                }
            }

            step *= 10;
        }
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
