using System.Globalization;
using System.Text.RegularExpressions;

namespace MfaHost.Tests.Metrics;

/// <summary>Reads sample values out of Prometheus text exposition, as a scraper would.</summary>
internal static partial class PrometheusText
{
    /// <summary>The value of the one sample of <paramref name="metric"/> whose labels include <paramref name="labels"/>; null when absent.</summary>
    public static double? Value(string text, string metric, params (string Name, string Value)[] labels)
    {
        var matches = Samples(text, metric)
            .Where(s => labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value))
            .ToList();
        Assert.That(matches, Has.Count.LessThanOrEqualTo(1), $"more than one {metric} sample with those labels");
        return matches.Count == 0 ? null : matches[0].Value;
    }

    public static IEnumerable<(IReadOnlyDictionary<string, string> Labels, double Value)> Samples(string text, string metric)
    {
        foreach (var line in text.Split('\n'))
        {
            var match = SampleLine().Match(line.TrimEnd('\r'));
            if (!match.Success || match.Groups["name"].Value != metric)
            {
                continue;
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups["k"].Value, m => m.Groups["v"].Value, StringComparer.Ordinal);
            yield return (labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)")]
    private static partial Regex SampleLine();

    [GeneratedRegex("(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<v>(?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelPair();
}
