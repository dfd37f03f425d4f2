using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>
/// Which sections and options an instance file may hold: the host's own (pipeline, logging, the SDK's
/// HTTP, TLS and circuit settings) plus what the plugin type declares with
/// <see cref="MfaPluginOptionsAttribute"/>. Anything else is a configuration error naming the closest
/// known spelling, found before the plugin is constructed.
/// </summary>
internal static class InstanceOptions
{
    /// <summary>Marks a section whose option names are free (they are data, such as usernames).</summary>
    private static readonly FrozenSet<string> AnyOption = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "*");

    private const string QuestionPrefix = "question_";

    /// <summary>The sections the host and the SDK read in every instance file. Add a section here when the host starts reading it.</summary>
    private static readonly FrozenDictionary<string, FrozenSet<string>> HostSections = new Dictionary<string, FrozenSet<string>>(StringComparer.OrdinalIgnoreCase)
    {
        ["plugin"] = Set("type", "enabled", "isolation", "max_memory_mb", "max_concurrency"),
        ["logging"] = Set("log_level"),
        ["auth"] = Set("prompt", "disable_echo", "interactive_protocols", "allow_one_time_tokens"),
        ["whitelist"] = Set("allow", "users"),
        ["authentication_cache"] = Set("soft_timeout", "hard_timeout", "reuse_limit"),
        ["usermapping"] = AnyOption,
        ["username_transform"] = Set("append_domain"),
        ["connection_limit"] = Set("limit"),
        ["circuit"] = Set("failures", "open_seconds"),
        ["lockout"] = Set("failures", "window", "duration"),
        ["push_limit"] = Set("max", "window"),
        ["push"] = Set("number_matching"),
        ["http"] = Set("max_connections", "http2", "idle_timeout"),
        ["tls"] = Set("ca_file", "client_cert", "client_key"),
        ["https_proxy"] = Set("server", "port", "username", "password"),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> QuestionOptions = Set("key", "prompt", "disable_echo");

    /// <summary>The sections and options <paramref name="pluginType"/> declares.</summary>
    public static IReadOnlyDictionary<string, FrozenSet<string>> DeclaredBy(Type pluginType) =>
        pluginType.GetCustomAttributes<MfaPluginOptionsAttribute>()
            .GroupBy(a => a.Section, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.SelectMany(a => a.Options).ToFrozenSet(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Every section and option of <paramref name="configuration"/> that neither the host nor the
    /// plugin (<paramref name="declared"/>) knows, as errors with file, line and a suggestion.
    /// </summary>
    public static IEnumerable<MfaConfigurationException> FindUnknown(PluginConfiguration configuration, IReadOnlyDictionary<string, FrozenSet<string>> declared)
    {
        var sections = HostSections.Keys.Concat(declared.Keys).Append(QuestionPrefix + "1").ToList();
        foreach (var name in configuration.SectionNames)
        {
            var section = configuration.Section(name);
            var known = KnownOptions(name, declared);
            if (known is null)
            {
                yield return section.Error(null, "unknown section" + Suggestion(name, sections));
                continue;
            }

            if (known == AnyOption)
            {
                continue;
            }

            foreach (var (option, _) in section.Entries)
            {
                if (!known.Contains(option))
                {
                    yield return section.Error(option, "unknown option" + Suggestion(option, known));
                }
            }
        }
    }

    private static FrozenSet<string>? KnownOptions(string section, IReadOnlyDictionary<string, FrozenSet<string>> declared)
    {
        HostSections.TryGetValue(section, out var host);
        declared.TryGetValue(section, out var plugin);
        if (host is not null && plugin is not null)
        {
            return host == AnyOption || plugin.Contains("*") ? AnyOption : host.Union(plugin, StringComparer.OrdinalIgnoreCase).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        }

        if ((host ?? plugin) is { } one)
        {
            return one;
        }

        // [question_N]: the pipeline checks the numbering itself and names the wrong section.
        return section.StartsWith(QuestionPrefix, StringComparison.OrdinalIgnoreCase) ? QuestionOptions : null;
    }

    private static string Suggestion(string written, IEnumerable<string> known)
    {
        var best = known.Where(k => k != "*")
            .Select(k => (Name: k, Distance: EditDistance(written.ToLowerInvariant(), k.ToLowerInvariant())))
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

    private static FrozenSet<string> Set(params string[] options) => options.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
}
