using System.Globalization;

namespace MfaHost.Plugins.Totp.Import;

/// <summary>
/// pam_google_authenticator state files (<c>~/.google_authenticator</c>), each named after its user: the Base32 secret
/// on the first line, option lines starting with <c>"</c>, then the 8-digit scratch codes. Options are mapped where
/// MfaHost has the same behaviour and refused where it has none:
/// <list type="bullet">
/// <item><c>TOTP_AUTH</c>, <c>DISALLOW_REUSE</c>: accepted (MfaHost always refuses a used code).</item>
/// <item><c>STEP_SIZE n</c>: the period.</item>
/// <item><c>WINDOW_SIZE n</c>, <c>RATE_LIMIT n m</c>: imported with a note; the instance's <c>[totp] window</c> and the
/// host's <c>[lockout]</c> apply to every user.</item>
/// <item><c>HOTP_COUNTER</c> (counter-based codes): refused. Any other option: refused.</item>
/// </list>
/// </summary>
internal static class GoogleAuthenticatorFormat
{
    /// <summary>A real state file is under 1 KB; anything much larger is not one (and is not sent through the socket).</summary>
    public const int MaximumFileBytes = 16 * 1024;

    private const int ScratchCodeDigits = 8;
    private const int PamDefaultWindowSize = 3;

    /// <summary>A folder of files (each file's name is its user; hidden files and subfolders are skipped) or one file.</summary>
    public static void Read(string path, ImportCollector collector)
    {
        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
            {
                if (!Path.GetFileName(file).StartsWith('.'))
                {
                    ReadFile(file, Path.GetFileName(file), collector);
                }
            }

            return;
        }

        var name = Path.GetFileName(path);
        if (name == ".google_authenticator")
        {
            collector.Error($"{path}: the file is not named after its user: copy each user's .google_authenticator to a folder as a file named like the user, and import the folder");
            return;
        }

        ReadFile(path, name, collector);
    }

    private static void ReadFile(string file, string user, ImportCollector collector)
    {
        var size = new FileInfo(file).Length;
        ReadText(file, user, size > MaximumFileBytes ? null : File.ReadAllText(file), size, collector);
    }

    /// <summary>One state file's content (null when it was too large to be read: <paramref name="size"/> says how large).</summary>
    public static void ReadText(string file, string user, string? text, long size, ImportCollector collector)
    {
        if (ImportFields.User(user) is { } userError)
        {
            collector.Error($"{file}: {userError} (the file name is the user)");
            return;
        }

        if (text is null || size > MaximumFileBytes)
        {
            collector.Error($"{file}: larger than {MaximumFileBytes / 1024} KB, not a google_authenticator state file");
            return;
        }

        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var errors = new List<string>();
        var (secret, secretError) = ImportFields.Secret(lines.Length > 0 ? lines[0] : null);
        if (secretError is not null)
        {
            errors.Add($"{file}:1: {secretError}");
        }

        var period = 30;
        var scratchCodes = new List<string>();
        var notes = new List<string>();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            var where = $"{file}:{i + 1}";
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '"')
            {
                if (Option(line[1..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries), ref period, notes) is { } optionError)
                {
                    errors.Add($"{where}: {optionError}");
                }
            }
            else if (line.Length == ScratchCodeDigits && line.All(char.IsAsciiDigit))
            {
                scratchCodes.Add(line);
            }
            else
            {
                errors.Add($"{where}: neither an option (\" NAME) nor an {ScratchCodeDigits}-digit scratch code");
            }
        }

        if (errors.Count > 0)
        {
            errors.ForEach(collector.Error);
            return;
        }

        collector.Add(new ImportedEnrollment { User = user, Secret = secret!, Period = period, ScratchCodes = scratchCodes, Notes = notes, Source = file });
    }

    private static string? Option(string[] words, ref int period, List<string> notes)
    {
        switch (words.FirstOrDefault())
        {
            case "TOTP_AUTH":
            case "DISALLOW_REUSE":
                return null;
            case "STEP_SIZE":
                var (value, error) = ImportFields.Period(words.ElementAtOrDefault(1) ?? "x");
                period = value;
                return error is null ? null : "STEP_SIZE: " + error;
            case "WINDOW_SIZE":
                if (!int.TryParse(words.ElementAtOrDefault(1), NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < 1)
                {
                    return "WINDOW_SIZE needs a positive whole number";
                }

                if (size != PamDefaultWindowSize)
                {
                    notes.Add($"WINDOW_SIZE {size} is not kept per user: the instance's [totp] window applies");
                }

                return null;
            case "RATE_LIMIT":
                notes.Add("RATE_LIMIT is not kept per user: the host's [lockout] applies");
                return null;
            case "HOTP_COUNTER":
                return "HOTP_COUNTER: counter-based (HOTP) enrollments are not supported, only time-based (TOTP)";
            case null:
                return "an empty option line";
            default:
                return $"unknown option '{words[0]}'";
        }
    }
}
