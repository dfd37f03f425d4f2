using System.Collections.Frozen;
using System.Globalization;
using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>
/// Which sections and options one INI file may hold. <see cref="FindUnknown"/> reports everything else as a
/// configuration error with file, line and the closest known spelling (<c>unknown option; did you mean 'socket'?</c>).
/// The host file (<see cref="HostFileOptions"/>) and the instance files (<see cref="InstanceOptions"/>) are checked
/// with it, before anything is constructed.
/// </summary>
internal sealed class OptionSchema
{
    /// <summary>As a section's options: any option name is allowed (they are data, such as user names).</summary>
    public static readonly FrozenSet<string> AnyOption = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "*");

    // A name ending in a <placeholder> stands for every name with that prefix: applids_<uid>, question_<n>.

    private readonly IReadOnlyDictionary<string, FrozenSet<string>> _sections;

    public OptionSchema(IReadOnlyDictionary<string, FrozenSet<string>> sections) => _sections = sections;

    public static FrozenSet<string> Options(params string[] options) => options.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every section and option of <paramref name="configuration"/> this schema does not know, as errors with file, line and a suggestion.</summary>
    public IEnumerable<MfaConfigurationException> FindUnknown(PluginConfiguration configuration)
    {
        foreach (var name in configuration.SectionNames)
        {
            var section = configuration.Section(name);
            if (OptionsOf(name) is not { } known)
            {
                yield return section.Error(null, "unknown section" + Suggestion(name, _sections.Keys));
                continue;
            }

            if (known.Contains("*"))
            {
                continue;
            }

            foreach (var (option, _) in section.Entries)
            {
                if (!Matches(known, option))
                {
                    yield return section.Error(option, "unknown option" + Suggestion(option, known));
                }
            }
        }
    }

    private FrozenSet<string>? OptionsOf(string section) =>
        _sections.TryGetValue(section, out var options)
            ? options
            : _sections.FirstOrDefault(s => PrefixOf(s.Key) is { } prefix && section.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Value;

    private static bool Matches(FrozenSet<string> known, string option) =>
        known.Contains(option) || known.Any(k => PrefixOf(k) is { } prefix && option.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private static string? PrefixOf(string name) =>
        name.Length > 2 && name[^1] == '>' && name.IndexOf('<', StringComparison.Ordinal) is > 0 and var open ? name[..open] : null;

    private static string Suggestion(string written, IEnumerable<string> known)
    {
        var best = known.Where(k => k != "*")
            .Select(k => (Name: k, Distance: EditDistance(written.ToLowerInvariant(), (PrefixOf(k) ?? k).ToLowerInvariant())))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        // A suggestion only when it is plausibly the same word: at most a third of it differs.
        return best.Name is not null && best.Distance <= Math.Max(2, written.Length / 3)
            ? string.Create(CultureInfo.InvariantCulture, $"; did you mean '{best.Name}'?")
            : string.Empty;
    }

    // Levenshtein distance; the names are short, so the quadratic table is cheap. Written here because
    // no package this project may use offers it, and it is a dozen lines.
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
