using System.Web;

namespace MfaHost.Plugins.Totp.Import;

/// <summary>
/// <c>otpauth://totp/Issuer:account?secret=...&amp;issuer=...&amp;algorithm=...&amp;digits=...&amp;period=...</c> URIs, one a
/// line (the Key Uri Format authenticator apps and most exports use); blank lines and lines starting with '#' are skipped.
/// The user is the label's account part; other parameters (image, color, ...) are ignored.
/// </summary>
internal static class OtpAuthUriFormat
{
    /// <summary>Reads <paramref name="lines"/>, the first of which is line <paramref name="firstLine"/> of <paramref name="file"/>.</summary>
    public static void Read(string file, IEnumerable<string> lines, ImportCollector collector, int firstLine = 1)
    {
        var number = firstLine - 1;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var where = $"{file}:{number}";
            var (enrollment, error) = Parse(line, where);
            if (enrollment is null)
            {
                collector.Error($"{where}: {error}");
            }
            else
            {
                collector.Add(enrollment);
            }
        }
    }

    private static (ImportedEnrollment? Enrollment, string? Error) Parse(string line, string where)
    {
        if (!Uri.TryCreate(line, UriKind.Absolute, out var uri) || !string.Equals(uri.Scheme, "otpauth", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "not an otpauth:// URI");
        }

        if (string.Equals(uri.Host, "hotp", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "otpauth://hotp (counter-based) keys are not supported, only otpauth://totp");
        }

        if (!string.Equals(uri.Host, "totp", StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"otpauth type '{uri.Host}' is not totp");
        }

        var (issuer, account) = Label(uri);
        var query = HttpUtility.ParseQueryString(uri.Query);
        var (secret, secretError) = ImportFields.Secret(query["secret"]);
        var (algorithm, algorithmError) = ImportFields.Algorithm(query["algorithm"]);
        var (digits, digitsError) = ImportFields.Digits(query["digits"]);
        var (period, periodError) = ImportFields.Period(query["period"]);
        var error = ImportFields.User(account) ?? secretError ?? algorithmError ?? digitsError ?? periodError;
        if (error is null && issuer is not null && query["issuer"] is { } parameter && !string.Equals(issuer, parameter, StringComparison.Ordinal))
        {
            error = $"the label's issuer '{issuer}' differs from the issuer parameter '{parameter}'";
        }

        return error is not null
            ? (null, error)
            : (new ImportedEnrollment { User = account!, Secret = secret!, Algorithm = algorithm, Digits = digits, Period = period, Source = where }, null);
    }

    private static (string? Issuer, string? Account) Label(Uri uri)
    {
        var label = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var colon = label.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (null, label) : (label[..colon].Trim(), label[(colon + 1)..].Trim());
    }
}
