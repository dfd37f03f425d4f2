using System.Collections.Frozen;
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
    /// <summary>The sections the host and the SDK read in every instance file. Add a section here when the host starts reading it.</summary>
    private static readonly FrozenDictionary<string, FrozenSet<string>> HostSections = new Dictionary<string, FrozenSet<string>>(StringComparer.OrdinalIgnoreCase)
    {
        ["plugin"] = OptionSchema.Options("type", "enabled", "isolation", "max_memory_mb", "max_concurrency"),
        ["logging"] = OptionSchema.Options("log_level"),
        ["auth"] = OptionSchema.Options("prompt", "disable_echo", "interactive_protocols", "allow_one_time_tokens"),
        ["whitelist"] = OptionSchema.Options("allow", "users"),
        ["authentication_cache"] = OptionSchema.Options("soft_timeout", "hard_timeout", "reuse_limit"),
        ["usermapping"] = OptionSchema.AnyOption,
        ["username_transform"] = OptionSchema.Options("append_domain"),
        ["connection_limit"] = OptionSchema.Options("limit"),
        ["circuit"] = OptionSchema.Options("failures", "open_seconds"),
        ["lockout"] = OptionSchema.Options("failures", "window", "duration"),
        ["push_limit"] = OptionSchema.Options("max", "window"),
        ["push"] = OptionSchema.Options("number_matching"),
        ["http"] = OptionSchema.Options("max_connections", "http2", "idle_timeout"),
        ["tls"] = OptionSchema.Options("ca_file", "client_cert", "client_key"),
        ["https_proxy"] = OptionSchema.Options("server", "port", "username", "password"),

        // [question_N]: the pipeline checks the numbering itself and names the wrong section.
        ["question_<n>"] = OptionSchema.Options("key", "prompt", "disable_echo"),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

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
        var sections = new Dictionary<string, FrozenSet<string>>(HostSections, StringComparer.OrdinalIgnoreCase);
        foreach (var (section, options) in declared)
        {
            sections[section] = sections.TryGetValue(section, out var host)
                ? host.Union(options, StringComparer.OrdinalIgnoreCase).ToFrozenSet(StringComparer.OrdinalIgnoreCase)
                : options;
        }

        return new OptionSchema(sections).FindUnknown(configuration);
    }
}
