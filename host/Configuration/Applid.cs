using System.Text.RegularExpressions;

namespace MfaHost.Configuration;

/// <summary>An application id (APPLID): 1 to 8 characters of A-Z, 0-9, @, # or $, compared upper-cased.</summary>
internal static partial class Applid
{
    public const string Rule = "1 to 8 characters of A-Z, 0-9, @, # or $";

    /// <summary>The APPLID upper-cased, or null when <paramref name="applid"/> is not one.</summary>
    public static string? Normalize(string? applid)
    {
        var upper = applid?.Trim().ToUpperInvariant();
        return upper is not null && Pattern().IsMatch(upper) ? upper : null;
    }

    [GeneratedRegex("^[A-Z0-9@#$]{1,8}$")]
    private static partial Regex Pattern();
}
