using System.Text.Json.Nodes;
using MfaHost.Plugins.Totp.Administration;
using MfaHost.Plugins.Totp.Import;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Totp;

/// <summary>
/// <c>mfahost totp import</c>: the admin operations <c>import</c> (send a part of the input: lines of a file, or whole
/// google_authenticator files) and <c>import-finish</c> (check the whole input, then write it a batch per call), so that
/// no call exceeds the socket's frame size or the request timeout and the command can show progress.
/// </summary>
public sealed partial class TotpClient
{
    private const int DefaultImportBatch = 2000;
    private const int MaximumImportBatch = 20_000;
    private const int MaximumNotesShown = 50;
    private const int MaximumSkippedShown = 20;

    private StagedImports? _stagedImports;

    private StagedImports Imports => LazyInitializer.EnsureInitialized(ref _stagedImports, () => new StagedImports(_time));

    private JsonObject ImportPart(JsonObject arguments)
    {
        var parts = arguments["parts"] as JsonArray ?? throw new MfaAdminException(MfaAdminErrorKind.InvalidArguments, "'parts' must be an array of {file, first_line, text, size}");
        var import = AdminArguments.OptionalString(arguments, "import") is { } id
            ? Imports.Find(id) ?? throw new MfaAdminException($"no import '{id}' is in progress in instance '{Context.InstanceName}' (it finished, failed, or was idle for {StagedImports.IdleLimit.TotalMinutes:0} minutes): start it again")
            : Imports.Begin(FormatOf(arguments, parts)) ?? throw new MfaAdminException($"{StagedImports.MaximumImports} imports are already in progress in instance '{Context.InstanceName}': wait for them to finish");
        if (!import.TryEnter())
        {
            throw new MfaAdminException($"import '{import.Id}' is busy with another call: send its parts one after another");
        }

        try
        {
            var before = import.Staged;
            foreach (var node in parts)
            {
                ReadPart(import, node as JsonObject ?? throw new MfaAdminException(MfaAdminErrorKind.InvalidArguments, "each of 'parts' must be an object"));
            }

            if (Imports.StagedCount() > StagedImports.MaximumEnrollments)
            {
                Imports.End(import);
                throw new MfaAdminException($"more than {StagedImports.MaximumEnrollments:N0} enrollments are being imported at once: split the input");
            }

            var notes = import.Collector.Staged.Skip(before).SelectMany(e => e.Notes.Select(n => $"{e.Source}: {n}")).Take(MaximumNotesShown);
            return new JsonObject
            {
                ["import"] = import.Id,
                ["format"] = FormatName(import.Format),
                ["staged"] = import.Staged,
                ["errors"] = import.Collector.ErrorCount,
                ["notes"] = new JsonArray([.. notes.Select(n => JsonValue.Create(n))]),
            };
        }
        finally
        {
            import.Exit();
        }
    }

    private static TotpImportFormat FormatOf(JsonObject arguments, JsonArray parts) =>
        AdminArguments.OptionalString(arguments, "format") switch
        {
            null => TotpImportReader.DetectLines(Lines(parts.FirstOrDefault()?["text"]?.GetValue<string>() ?? string.Empty)),
            "uri" => TotpImportFormat.Uri,
            "csv" => TotpImportFormat.Csv,
            "google-authenticator" or "google_authenticator" => TotpImportFormat.GoogleAuthenticator,
            var other => throw new MfaAdminException(MfaAdminErrorKind.InvalidArguments, $"'format' {other} is not one of uri, google-authenticator, csv"),
        };

    private static string FormatName(TotpImportFormat format) => format switch
    {
        TotpImportFormat.Uri => "uri",
        TotpImportFormat.Csv => "csv",
        _ => "google-authenticator",
    };

    private static void ReadPart(StagedImport import, JsonObject part)
    {
        var file = AdminArguments.RequiredString(part, "file");
        var text = AdminArguments.OptionalString(part, "text");
        var firstLine = AdminArguments.OptionalInt(part, "first_line", 1, int.MaxValue) ?? 1;
        var size = AdminArguments.OptionalInt(part, "size", 0, int.MaxValue);
        switch (import.Format)
        {
            case TotpImportFormat.GoogleAuthenticator:
                GoogleAuthenticatorFormat.ReadText(file, Path.GetFileName(file), text, size ?? text?.Length ?? 0, import.Collector);
                break;
            case var _ when text is null:
                // The command sends a line too long for any frame without its text, so that it is reported where it is.
                import.Collector.Error(size is { } length
                    ? $"{file}:{firstLine}: the line is {length:N0} characters long, far longer than an enrollment"
                    : throw new MfaAdminException(MfaAdminErrorKind.InvalidArguments, $"the part of {file} has neither 'text' nor 'size'"));
                break;
            case TotpImportFormat.Uri:
                OtpAuthUriFormat.Read(file, Lines(text), import.Collector, firstLine);
                break;
            default:
                CsvFormat.Read(file, Lines(text), import.Collector, firstLine);
                break;
        }
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r'));

    private async ValueTask<JsonNode> ImportFinishAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        var id = AdminArguments.RequiredString(arguments, "import");
        var dryRun = AdminArguments.OptionalBool(arguments, "dry_run");
        var replace = AdminArguments.OptionalBool(arguments, "replace");
        var batch = AdminArguments.OptionalInt(arguments, "batch", 1, MaximumImportBatch) ?? DefaultImportBatch;
        var import = Imports.Find(id) ?? throw new MfaAdminException($"no import '{id}' is in progress in instance '{Context.InstanceName}' (it finished, failed, or was idle for {StagedImports.IdleLimit.TotalMinutes:0} minutes): start it again");
        if (!import.TryEnter())
        {
            throw new MfaAdminException($"import '{import.Id}' is busy with another call: send its parts one after another");
        }

        try
        {
            IReadOnlyList<ImportedEnrollment> all;
            try
            {
                all = import.Collector.Result();
            }
            catch (TotpImportException e)
            {
                Imports.End(import);
                LogImportRefused(Logger, e.Errors.Count);
                throw new MfaAdminException(e.Message);
            }

            if (all.Count == 0)
            {
                Imports.End(import);
                throw new MfaAdminException("nothing to import: the input holds no enrollment");
            }

            var slice = all.Skip(import.Done).Take(batch).ToList();
            var skipped = new List<string>();
            if (dryRun)
            {
                foreach (var enrollment in slice)
                {
                    if (await _enrollments.IsEnrolledAsync(enrollment.User, cancellationToken))
                    {
                        skipped.Add(enrollment.User);
                    }
                }
            }
            else
            {
                await _enrollments.ImportBatchAsync(slice, replace, skipped, null, cancellationToken);
            }

            import.Done += slice.Count;
            var finished = import.Done >= all.Count;
            if (finished)
            {
                Imports.End(import);
            }

            if (!dryRun)
            {
                LogImported(Logger, slice.Count - skipped.Count, skipped.Count, import.Done, all.Count);
            }

            return new JsonObject
            {
                ["import"] = import.Id,
                ["dry_run"] = dryRun,
                ["done"] = import.Done,
                ["total"] = all.Count,
                ["imported"] = slice.Count - skipped.Count,
                ["skipped"] = skipped.Count,
                ["skipped_users"] = new JsonArray([.. skipped.Take(MaximumSkippedShown).Select(u => JsonValue.Create(u))]),
                ["finished"] = finished,
            };
        }
        finally
        {
            import.Exit();
        }
    }

    [LoggerMessage(EventId = 4012, Level = LogLevel.Information, Message = "TOTP import: {Imported} enrollment(s) written, {Skipped} already enrolled and skipped ({Done} of {Total} done)")]
    private static partial void LogImported(ILogger logger, int imported, int skipped, int done, int total);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Warning, Message = "TOTP import refused: {Errors} bad line(s) in the input; nothing was written")]
    private static partial void LogImportRefused(ILogger logger, int errors);
}
