namespace MfaHost.PluginSdk;

/// <summary>
/// A configuration value is missing or wrong. The message names the file (and line where it is
/// known), the section, the option and the offending value (never a secret's value).
/// </summary>
public sealed class MfaConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The INI file.</param>
    /// <param name="line">1-based line of the option, when known.</param>
    /// <param name="section">The section.</param>
    /// <param name="option">The option, or null for a whole-section or whole-file problem.</param>
    /// <param name="problem">What is wrong, including the value where that is not a secret.</param>
    public MfaConfigurationException(string filePath, int? line, string section, string? option, string problem)
        : base(Format(filePath, line, section, option, problem))
    {
        FilePath = filePath;
        Line = line;
        Section = section;
        Option = option;
        Problem = problem;
    }

    /// <summary>The INI file.</summary>
    public string FilePath { get; }

    /// <summary>1-based line of the option, when known.</summary>
    public int? Line { get; }

    /// <summary>The section.</summary>
    public string Section { get; }

    /// <summary>The option, or null.</summary>
    public string? Option { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }

    private static string Format(string filePath, int? line, string section, string? option, string problem)
    {
        var where = line is { } l ? $"{filePath}:{l}" : filePath;
        var what = option is null ? $"[{section}]" : $"[{section}] {option}";
        return $"{where}: {what}: {problem}";
    }
}
