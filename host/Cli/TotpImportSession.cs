using System.Globalization;
using System.Text.Json.Nodes;

namespace MfaHost.Cli;

/// <summary>
/// One <c>mfahost totp import</c> through an admin session: sends the input part by part to the plugin's <c>import</c>
/// (parts cut by <see cref="TotpImportParts"/>), then calls <c>import-finish</c> until the plugin is done, with progress.
/// </summary>
internal sealed class TotpImportSession(CliConsole console, ConsoleProgress bar, string instance, string input, string? format, bool dryRun, bool force)
{
    private const int MaximumNotes = 20;

    // What a part's JSON may take of a frame: the rest is the request's envelope and the other parts' names.
    private const int FrameShare = 2;

    private string? _id;
    private int _staged;
    private int _notes;

    public async Task<int> RunAsync(AdminSession session, CancellationToken cancellationToken)
    {
        var budget = Math.Max(512, session.MaxFrameBytes / FrameShare);
        var parts = Directory.Exists(input) ? TotpImportParts.OfFolder(input, budget) : TotpImportParts.OfFile(input, budget);
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
