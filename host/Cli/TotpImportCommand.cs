using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MfaHost.Cli;

/// <summary>
/// <c>mfahost totp import FILE|FOLDER</c>: existing authenticator enrollments into a totp instance, through the plugin's
/// <c>import</c> and <c>import-finish</c> operations. The command only cuts the input into parts that fit the host's
/// frame size (whole lines of a file; whole files of a folder) and shows progress; the plugin parses, checks the whole
/// input (nothing is written when any line is bad) and stores it.
/// </summary>
internal static class TotpImportCommand
{
    private const string PluginType = "totp";

    private const int MaximumNotes = 20;

    // What a part's JSON may take of a frame: the rest is the request's envelope and the other parts' names.
    private const int FrameShare = 2;

    public static Command Create(CliConsole console)
    {
        var config = CliOptions.Config();
        var socket = CliOptions.Socket();
        var instance = TotpCommand.Instance();
        var path = new Argument<string>("FILE|FOLDER") { Description = "otpauth URIs or CSV in a file, or a folder of google_authenticator state files named by user" };
        var format = new Option<string?>("--format", "-f") { Description = "uri, google-authenticator or csv (default: a folder is google-authenticator; a file is recognised by its first line)", HelpName = "FORMAT" };
        format.AcceptOnlyFromAmong("uri", "google-authenticator", "csv");
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the whole input and report what would be imported; write nothing" };
        var force = new Option<bool>("--force") { Description = "Replace the enrollments of users who are already enrolled (default: skip them)" };
        var progress = new Option<bool>("--progress") { Description = "Show progress on stderr even when it is not a terminal (a line per 10%)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress, only the result" };
        var command = new Command("import", "Import existing TOTP enrollments (otpauth URIs, pam_google_authenticator files, CSV): all or nothing, every bad line reported as file:line")
        {
            config, socket, instance, path, format, dryRun, force, progress, quiet,
        };
        command.SetAction(async (parse, ct) =>
        {
            var input = Path.GetFullPath(parse.GetValue(path)!);
            var formatName = parse.GetValue(format);
            if (Directory.Exists(input) && formatName is not (null or "google-authenticator"))
            {
                console.Error.WriteLine($"error: {input} is a folder: only --format google-authenticator reads folders");
                return ExitCodes.UsageOrConfig;
            }

            if (!Directory.Exists(input) && !File.Exists(input))
            {
                console.Error.WriteLine($"error: {input}: no such file or folder");
                return ExitCodes.UsageOrConfig;
            }

            var name = parse.GetValue(instance)!;
            var bar = ConsoleProgress.For(console, parse.GetValue(progress), parse.GetValue(quiet));
            var run = new ImportRun(console, bar, name, input, Directory.Exists(input) ? "google-authenticator" : formatName, parse.GetValue(dryRun), parse.GetValue(force));
            try
            {
                return await new PluginAdminCall(console, parse.GetValue(socket), parse.GetValue(config)).RunSessionAsync(name, PluginType, session => run.RunAsync(session, ct), ct);
            }
            catch (IOException e)
            {
                bar.Finish();
                console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Failed;
            }
            catch (UnauthorizedAccessException e)
            {
                bar.Finish();
                console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    private sealed class ImportRun(CliConsole console, ConsoleProgress bar, string instance, string input, string? format, bool dryRun, bool force)
    {
        private string? _id;
        private int _staged;
        private int _notes;

        public async Task<int> RunAsync(AdminSession session, CancellationToken cancellationToken)
        {
            var budget = Math.Max(512, session.MaxFrameBytes / FrameShare);
            var parts = Directory.Exists(input) ? FolderParts(input, budget) : FileParts(input, budget);
            var totalBytes = Directory.Exists(input)
                ? Directory.EnumerateFiles(input).Where(f => !Path.GetFileName(f).StartsWith('.')).Sum(f => new FileInfo(f).Length)
                : new FileInfo(input).Length;
            bar.Start("reading");
            long sentBytes = 0;
            foreach (var (batch, bytes) in parts)
            {
                var arguments = new JsonObject { ["parts"] = batch };
                if (_id is null)
                {
                    arguments["format"] = format;
                }
                else
                {
                    arguments["import"] = _id;
                }

                var (result, failed) = await session.CallAsync("import", arguments, cancellationToken);
                if (failed is { } exitCode)
                {
                    bar.Finish();
                    return exitCode;
                }

                _id ??= result?["import"]?.GetValue<string>();
                _staged = result?["staged"]?.GetValue<int>() ?? 0;
                WriteNotes(result?["notes"]?.AsArray());
                sentBytes += bytes;
                bar.Report(sentBytes, totalBytes, "bytes");
            }

            if (_id is null)
            {
                console.Error.WriteLine($"error: {input} is empty: nothing to import");
                return ExitCodes.Failed;
            }

            return await FinishAsync(session, cancellationToken);
        }

        private async Task<int> FinishAsync(AdminSession session, CancellationToken cancellationToken)
        {
            bar.Start(dryRun ? "checking" : "importing");
            int imported = 0, skipped = 0, total = 0;
            var skippedUsers = new List<string>();
            while (true)
            {
                var (result, failed) = await session.CallAsync("import-finish", new JsonObject { ["import"] = _id, ["replace"] = force, ["dry_run"] = dryRun }, cancellationToken);
                if (failed is { } exitCode)
                {
                    bar.Finish();
                    return exitCode;
                }

                imported += result?["imported"]?.GetValue<int>() ?? 0;
                skipped += result?["skipped"]?.GetValue<int>() ?? 0;
                total = result?["total"]?.GetValue<int>() ?? 0;
                skippedUsers.AddRange((result?["skipped_users"]?.AsArray() ?? []).Select(u => u?.GetValue<string>() ?? string.Empty).Take(20 - skippedUsers.Count));
                bar.Report(result?["done"]?.GetValue<int>() ?? 0, total, "users");
                if (result?["finished"]?.GetValue<bool>() != false)
                {
                    break;
                }
            }

            bar.Finish();
            var skippedText = skipped == 0 ? string.Empty : $" ({string.Join(", ", skippedUsers)}{(skipped > skippedUsers.Count ? ", ..." : string.Empty)})";
            var output = console.Out;
            if (dryRun)
            {
                output.WriteLine($"Dry run: {Count(total)} enrollment(s) read from {input}, no error. Nothing was written.");
                output.WriteLine(force
                    ? $"With --force {Count(total)} would be written, {Count(skipped)} of them replacing an enrollment{skippedText}."
                    : $"{Count(imported)} would be imported; {Count(skipped)} already enrolled would be skipped{skippedText} (--force replaces them).");
                return ExitCodes.Ok;
            }

            output.WriteLine(force
                ? $"Imported {Count(imported)} enrollment(s) from {input} into instance '{instance}' (existing ones replaced)."
                : skipped == 0
                    ? $"Imported {Count(imported)} enrollment(s) from {input} into instance '{instance}'."
                    : $"Imported {Count(imported)} enrollment(s) from {input} into instance '{instance}'; {Count(skipped)} already enrolled, skipped{skippedText} (--force replaces them).");
            return ExitCodes.Ok;
        }

        private void WriteNotes(JsonArray? notes)
        {
            foreach (var note in notes ?? [])
            {
                if (++_notes <= MaximumNotes)
                {
                    bar.Finish();
                    console.Error.WriteLine("note: " + note?.GetValue<string>());
                }
                else if (_notes == MaximumNotes + 1)
                {
                    bar.Finish();
                    console.Error.WriteLine($"note: more notes like these are not shown (the first {MaximumNotes} are)");
                }
            }
        }

        private static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
    }

    // Whole lines, as many as fit the budget (JSON-escaped); a line too long for any frame goes alone, without its text,
    // so the plugin reports it at its line number.
    private static IEnumerable<(JsonArray Parts, long Bytes)> FileParts(string file, int budget)
    {
        var lines = new List<string>();
        var size = 0;
        var first = 1;
        var number = 0;
        long bytes = 0;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            var encoded = JsonEncodedText.Encode(line).EncodedUtf8Bytes.Length + 2;
            if (encoded > budget)
            {
                if (lines.Count > 0)
                {
                    yield return (Part(file, first, lines), bytes);
                }

                yield return ([new JsonObject { ["file"] = file, ["first_line"] = number, ["size"] = line.Length }], line.Length + 1);
                (lines, size, first, bytes) = ([], 0, number + 1, 0);
                continue;
            }

            if (size + encoded > budget && lines.Count > 0)
            {
                yield return (Part(file, first, lines), bytes);
                (lines, size, first, bytes) = ([], 0, number, 0);
            }

            lines.Add(line);
            size += encoded;
            bytes += line.Length + 1;
        }

        if (lines.Count > 0)
        {
            yield return (Part(file, first, lines), bytes);
        }
    }

    private static JsonArray Part(string file, int firstLine, List<string> lines) =>
        [new JsonObject { ["file"] = file, ["first_line"] = firstLine, ["text"] = string.Join('\n', lines) }];

    // Whole files (hidden ones skipped, in name order), as many as fit the budget; a file too large to be a state file
    // goes without its text, so the plugin reports it.
    private static IEnumerable<(JsonArray Parts, long Bytes)> FolderParts(string folder, int budget)
    {
        var parts = new JsonArray();
        var size = 0;
        long bytes = 0;
        foreach (var file in Directory.EnumerateFiles(folder).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            var length = new FileInfo(file).Length;
            var text = length <= budget / 2 ? File.ReadAllText(file) : null;
            var part = new JsonObject { ["file"] = file, ["size"] = length };
            var encoded = JsonEncodedText.Encode(file).EncodedUtf8Bytes.Length + 64;
            if (text is not null)
            {
                part["text"] = text;
                encoded += JsonEncodedText.Encode(text).EncodedUtf8Bytes.Length;
            }

            if (size + encoded > budget && parts.Count > 0)
            {
                yield return (parts, bytes);
                (parts, size, bytes) = ([], 0, 0);
            }

            parts.Add(part);
            size += encoded;
            bytes += length;
        }

        if (parts.Count > 0)
        {
            yield return (parts, bytes);
        }
    }
}
