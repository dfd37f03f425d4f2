using System.Text;

namespace MfaHost.Plugins.Totp.Import;

/// <summary>
/// <c>user,secret[,algorithm,digits,period]</c>, one user a line; an optional header line starting <c>user,secret</c>;
/// fields may be double-quoted (RFC 4180, "" for a quote inside); blank lines and lines starting with '#' are skipped.
/// </summary>
/// <remarks>Hand-written: no CSV package is among the ones this project may use, and five fields need no more.</remarks>
internal static class CsvFormat
{
    /// <summary>Reads <paramref name="lines"/>, the first of which is line <paramref name="firstLine"/> of <paramref name="file"/>
    /// (a header is recognised only on the file's first content line, so only when the first line is 1).</summary>
    public static void Read(string file, IEnumerable<string> lines, ImportCollector collector, int firstLine = 1)
    {
        var number = firstLine - 1;
        var first = firstLine == 1;
        foreach (var raw in lines)
        {
            number++;
            if (raw.Trim().Length == 0 || raw.TrimStart()[0] == '#')
            {
                continue;
            }

            var where = $"{file}:{number}";
            var fields = Split(raw);
            if (fields is null)
            {
                collector.Error($"{where}: a quoted field is not closed");
                continue;
            }

            var header = first && IsHeader(fields);
            first = false;
            if (header)
            {
                continue;
            }

            if (fields.Count is < 2 or > 5)
            {
                collector.Error($"{where}: {fields.Count} field(s); expected user,secret[,algorithm,digits,period]");
                continue;
            }

            var (secret, secretError) = ImportFields.Secret(fields[1]);
            var (algorithm, algorithmError) = ImportFields.Algorithm(fields.ElementAtOrDefault(2));
            var (digits, digitsError) = ImportFields.Digits(fields.ElementAtOrDefault(3));
            var (period, periodError) = ImportFields.Period(fields.ElementAtOrDefault(4));
            if ((ImportFields.User(fields[0]) ?? secretError ?? algorithmError ?? digitsError ?? periodError) is { } error)
            {
                collector.Error($"{where}: {error}");
                continue;
            }

            collector.Add(new ImportedEnrollment { User = fields[0], Secret = secret!, Algorithm = algorithm, Digits = digits, Period = period, Source = where });
        }
    }

    private static bool IsHeader(List<string> fields) =>
        fields.Count >= 2 && fields[0].Equals("user", StringComparison.OrdinalIgnoreCase) && fields[1].Equals("secret", StringComparison.OrdinalIgnoreCase);

    private static List<string>? Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            return null;
        }

        fields.Add(field.ToString().Trim());
        return fields;
    }
}
