using System.Globalization;
using System.Text;

namespace MfaHost.Logging;

/// <summary>
/// Makes a value that a caller chose (a user name, a method name, a session id) safe for one log line: characters that
/// would move the cursor, colour a terminal, start a new line or reorder text (C0 and C1 controls, DEL, line and paragraph
/// separators, bidirectional overrides) and lone surrogates are written as <c>\uXXXX</c>, and the text is cut after
/// <see cref="MaxValueLength"/> characters, saying how many were cut.
/// </summary>
internal static class LogText
{
    /// <summary>The longest value written to the log; user names are the usual long ones.</summary>
    public const int MaxValueLength = 256;

    /// <summary>The longest message written to the log, for messages without structured values.</summary>
    public const int MaxMessageLength = 4096;

    public static string Safe(string? value, int maxLength = MaxValueLength)
    {
        if (value is null)
        {
            return "(null)";
        }

        if (value.Length <= maxLength && !NeedsEscaping(value))
        {
            return value;
        }

        var builder = new StringBuilder(Math.Min(value.Length, maxLength) + 32);
        var i = 0;
        while (i < value.Length && builder.Length < maxLength)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[i + 1]);
                i += 2;
                continue;
            }

            if (IsUnsafe(c))
            {
                builder.Append(c switch
                {
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                });
            }
            else
            {
                builder.Append(c);
            }

            i++;
        }

        if (i < value.Length)
        {
            builder.Append("...[").Append((value.Length - i).ToString(CultureInfo.InvariantCulture)).Append(" more characters]");
        }

        return builder.ToString();
    }

    /// <summary>Cuts <paramref name="value"/> to at most <paramref name="maxLength"/> characters without splitting a surrogate pair.</summary>
    public static string Truncate(string value, int maxLength)
    {
        if (value.Length <= maxLength)
        {
            return value;
        }

        var cut = char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength;
        return value[..cut] + "...";
    }

    public static bool NeedsEscaping(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnsafe(char c) =>
        c < 0x20 || c is >= '\u007f' and <= '\u009f' || c is '\u2028' or '\u2029' || c is >= '\u202a' and <= '\u202e'
        || c is >= '\u2066' and <= '\u2069' || char.IsSurrogate(c);
}
