namespace MfaHost.Plugins.Totp.Import;

/// <summary>
/// Reads a whole import (all or nothing): every enrollment of the file or folder, or a <see cref="TotpImportException"/>
/// listing every bad line. Nothing is written here; the caller stores the result.
/// </summary>
internal static class TotpImportReader
{
    /// <summary>The format <paramref name="path"/> looks like: a folder is google_authenticator files; a file whose first
    /// content line starts with otpauth:// is URIs; a file whose first line is a Base32 secret alone is a google_authenticator
    /// file; anything else is CSV.</summary>
    public static TotpImportFormat Detect(string path)
    {
        if (Directory.Exists(path))
        {
            return TotpImportFormat.GoogleAuthenticator;
        }

        return DetectLines(File.ReadLines(path));
    }

    /// <summary>The format of a file from its lines: see <see cref="Detect"/>.</summary>
    public static TotpImportFormat DetectLines(IEnumerable<string> lines)
    {
        var first = lines.Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && l[0] != '#') ?? "";
        if (first.StartsWith("otpauth://", StringComparison.OrdinalIgnoreCase))
        {
            return TotpImportFormat.Uri;
        }

        return !first.Contains(',', StringComparison.Ordinal) && ImportFields.Secret(first).Error is null
            ? TotpImportFormat.GoogleAuthenticator
            : TotpImportFormat.Csv;
    }

    /// <exception cref="TotpImportException">Any bad line, a duplicate user or an unreadable file: nothing to import.</exception>
    public static IReadOnlyList<ImportedEnrollment> Read(string path, TotpImportFormat format)
    {
        var collector = new ImportCollector();
        if (format != TotpImportFormat.GoogleAuthenticator && !File.Exists(path))
        {
            throw new TotpImportException([$"{path}: no such file"]);
        }

        if (format == TotpImportFormat.GoogleAuthenticator && !File.Exists(path) && !Directory.Exists(path))
        {
            throw new TotpImportException([$"{path}: no such file or folder"]);
        }

        switch (format)
        {
            case TotpImportFormat.Uri:
                OtpAuthUriFormat.Read(path, File.ReadLines(path), collector);
                break;
            case TotpImportFormat.Csv:
                CsvFormat.Read(path, File.ReadLines(path), collector);
                break;
            default:
                GoogleAuthenticatorFormat.Read(path, collector);
                break;
        }

        return collector.Result();
    }
}
