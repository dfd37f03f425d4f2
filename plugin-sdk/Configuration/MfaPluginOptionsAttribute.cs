namespace MfaHost.PluginSdk;

/// <summary>
/// Declares one INI section a plugin type reads and the options it accepts there. The host checks
/// every instance file against these declarations (and its own sections) before it constructs the
/// plugin: an option or section nobody declares is a configuration error that names file, line and
/// the closest known spelling. Put one attribute per section on the <see cref="MfaClient"/> class
/// that carries <see cref="MfaPluginAttribute"/>.
/// </summary>
/// <example><c>[MfaPluginOptions("acme", "server_url", "token", "request_timeout")]</c></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MfaPluginOptionsAttribute : Attribute
{
    /// <summary>Declares <paramref name="section"/> and the options the plugin accepts in it.</summary>
    /// <param name="section">The section name (case-insensitive), for example <c>acme</c>.</param>
    /// <param name="options">The option names (case-insensitive).</param>
    public MfaPluginOptionsAttribute(string section, params string[] options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        ArgumentNullException.ThrowIfNull(options);
        Section = section;
        Options = options;
    }

    /// <summary>The section.</summary>
    public string Section { get; }

    /// <summary>The options accepted in <see cref="Section"/>.</summary>
    public IReadOnlyList<string> Options { get; }
}
