namespace MfaHost.PluginSdk;

/// <summary>
/// Finds the line of a section or option in an INI file, for error messages only: the
/// configuration system itself keeps no line numbers.
/// </summary>
internal static class IniLineLocator
{
    public static int? Find(string filePath, string section, string? option)
    {
        string[] lines;
        try
        {
            if (!File.Exists(filePath))
            {
                return null;
            }

            lines = File.ReadAllLines(filePath);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        string? current = null;
        int? sectionLine = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] is ';' or '#' or '/')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                current = line[1..^1].Trim();
                if (string.Equals(current, section, StringComparison.OrdinalIgnoreCase) && sectionLine is null)
                {
                    sectionLine = i + 1;
                }

                continue;
            }

            if (option is null || !string.Equals(current, section, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && string.Equals(line[..eq].Trim(), option, StringComparison.OrdinalIgnoreCase))
            {
                return i + 1;
            }
        }

        return sectionLine;
    }
}
