using MfaHost.PluginSdk;
using Microsoft.Extensions.Configuration;

namespace MfaHost.Configuration;

/// <summary>Loads one INI file with the framework's INI provider, turning its syntax errors into errors with file and line.</summary>
internal static class IniFile
{
    public static IConfigurationRoot Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new MfaConfigurationException(path, null, "-", null, "file not found");
        }

        try
        {
            return new ConfigurationBuilder().AddIniFile(path, optional: false, reloadOnChange: false).Build();
        }
        catch (FormatException e)
        {
            throw new MfaConfigurationException(path, FindBadLine(path), "-", null, e.Message);
        }
        catch (InvalidDataException e)
        {
            throw new MfaConfigurationException(path, FindBadLine(path), "-", null, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MfaConfigurationException(path, null, "-", null, $"cannot read the file: {e.Message}");
        }
    }

    // The provider's messages name the bad line or duplicate key but not its number; find it
    // with the same rules the provider applies.
    private static int? FindBadLine(string path)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var section = string.Empty;
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] is ';' or '#' or '/')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1].Trim() + ":";
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || !seen.Add(section + line[..eq].Trim()))
            {
                return i + 1;
            }
        }

        return null;
    }
}
