using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MfaHost.PluginSdk;

/// <summary>
/// One INI section with typed getters. Values may carry an inline comment after whitespace
/// (<c>token = $   ; from the credential store</c>). Optional getters return their default for an
/// absent or empty option; required ones throw <see cref="MfaConfigurationException"/>.
/// </summary>
public sealed class IniSection
{
    private static readonly string[] TrueWords = ["yes", "true", "on", "1"];
    private static readonly string[] FalseWords = ["no", "false", "off", "0"];

    private readonly IConfigurationSection _section;
    private readonly ICredentialStore _credentials;

    internal IniSection(IConfigurationSection section, string name, string filePath, ICredentialStore credentials)
    {
        _section = section;
        _credentials = credentials;
        Name = name;
        FilePath = filePath;
    }

    /// <summary>The section name.</summary>
    public string Name { get; }

    /// <summary>The file the section is in.</summary>
    public string FilePath { get; }

    /// <summary>Whether the section has any option.</summary>
    public bool Exists => _section.GetChildren().Any();

    /// <summary>Every option of the section with its raw value (comments stripped), in file order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Entries =>
        _section.GetChildren().Select(c => new KeyValuePair<string, string>(c.Key, Clean(c.Value)));

    /// <summary>An optional string; null (or <paramref name="defaultValue"/>) when absent or empty.</summary>
    /// <param name="option">The option.</param>
    /// <param name="defaultValue">The value when absent.</param>
    public string? GetString(string option, string? defaultValue = null)
    {
        var raw = Raw(option);
        return string.IsNullOrEmpty(raw) ? defaultValue : raw;
    }

    /// <summary>A required string.</summary>
    /// <param name="option">The option.</param>
    public string GetRequiredString(string option) =>
        GetString(option) ?? throw Error(option, "is required but missing or empty");

    /// <summary>An integer within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="option">The option.</param>
    /// <param name="defaultValue">The value when absent.</param>
    /// <param name="min">Smallest allowed value.</param>
    /// <param name="max">Largest allowed value.</param>
    public int GetInt(string option, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var raw = Raw(option);
        if (string.IsNullOrEmpty(raw))
        {
            return defaultValue;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(option, $"'{raw}' is not a whole number");
        }

        if (value < min || value > max)
        {
            throw Error(option, $"'{raw}' is out of range ({RangeText(min, max)})");
        }

        return value;
    }

    /// <summary>A duration written in seconds (fractions allowed: <c>0.5</c>), within the given bounds.</summary>
    /// <param name="option">The option.</param>
    /// <param name="defaultValue">The value when absent.</param>
    /// <param name="min">Shortest allowed; default zero.</param>
    /// <param name="max">Longest allowed; default one day.</param>
    public TimeSpan GetSeconds(string option, TimeSpan defaultValue, TimeSpan? min = null, TimeSpan? max = null)
    {
        var raw = Raw(option);
        if (string.IsNullOrEmpty(raw))
        {
            return defaultValue;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ||
            double.IsNaN(seconds) || double.IsInfinity(seconds))
        {
            throw Error(option, $"'{raw}' is not a number of seconds");
        }

        var lo = min ?? TimeSpan.Zero;
        var hi = max ?? TimeSpan.FromDays(1);
        if (seconds < lo.TotalSeconds || seconds > hi.TotalSeconds)
        {
            throw Error(option, $"'{raw}' is out of range ({lo.TotalSeconds.ToString(CultureInfo.InvariantCulture)} to {hi.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds)");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>A boolean written <c>yes</c>/<c>no</c> (also <c>true</c>/<c>false</c>, <c>on</c>/<c>off</c>, <c>1</c>/<c>0</c>).</summary>
    /// <param name="option">The option.</param>
    /// <param name="defaultValue">The value when absent.</param>
    public bool GetBool(string option, bool defaultValue)
    {
        var raw = Raw(option);
        if (string.IsNullOrEmpty(raw))
        {
            return defaultValue;
        }

        if (TrueWords.Contains(raw, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        if (FalseWords.Contains(raw, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        throw Error(option, $"'{raw}' is not a boolean (use yes or no)");
    }

    /// <summary>A comma-separated list, items trimmed, empty items dropped; empty when absent.</summary>
    /// <param name="option">The option.</param>
    public IReadOnlyList<string> GetList(string option)
    {
        var raw = Raw(option);
        return string.IsNullOrEmpty(raw)
            ? []
            : raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// A secret. The value <c>$</c> reads it from the credential store under this section and option
    /// (a configuration error when the store has none); <c>$$</c> is a literal <c>$</c>; anything else
    /// is the secret itself. Null when absent. Error messages never include the secret.
    /// </summary>
    /// <param name="option">The option.</param>
    public string? GetSecret(string option)
    {
        var raw = Raw(option);
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }

        if (raw == "$$")
        {
            return "$";
        }

        if (raw != "$")
        {
            return raw;
        }

        return _credentials.TryGetSecret(Name, option, out var secret)
            ? secret
            : throw Error(option, $"is '$' but the credential store has no secret for it (looked in: {_credentials.Describe(Name, option)})");
    }

    /// <summary>A required secret; see <see cref="GetSecret"/>.</summary>
    /// <param name="option">The option.</param>
    public string GetRequiredSecret(string option) =>
        GetSecret(option) ?? throw Error(option, "is required but missing or empty");

    /// <summary>An error about <paramref name="option"/> of this section, with file and line.</summary>
    /// <param name="option">The option, or null for the whole section.</param>
    /// <param name="problem">What is wrong (include the value unless it is a secret).</param>
    public MfaConfigurationException Error(string? option, string problem) =>
        new(FilePath, IniLineLocator.Find(FilePath, Name, option), Name, option, problem);

    private static string RangeText(int min, int max) =>
        (min, max) switch
        {
            (int.MinValue, int.MaxValue) => "any",
            (int.MinValue, _) => $"at most {max}",
            (_, int.MaxValue) => $"at least {min}",
            _ => $"{min} to {max}",
        };

    private string? Raw(string option)
    {
        ArgumentException.ThrowIfNullOrEmpty(option);
        var value = _section[option];
        return value is null ? null : Clean(value);
    }

    // Inline comments: ';' or '#' preceded by whitespace ends the value, as in the spec's examples.
    private static string Clean(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        for (var i = 1; i < value.Length; i++)
        {
            if (value[i] is ';' or '#' && char.IsWhiteSpace(value[i - 1]))
            {
                value = value[..i];
                break;
            }
        }

        value = value.Trim();
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
        }

        return value;
    }
}
