namespace MfaHost.Metrics;

/// <summary>Keeps label values to short words, so a plugin's odd reason text cannot become a label (or many).</summary>
internal static class LabelValues
{
    public const string Other = "other";

    public static string Word(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 48)
        {
            return Other;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return Other;
            }
        }

        return value;
    }
}
