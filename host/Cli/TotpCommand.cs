using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using QRCoder;

namespace MfaHost.Cli;

/// <summary>
/// <c>mfahost totp enroll|list|remove</c>: TOTP enrollments of a <c>totp</c> plugin instance, made by the plugin's own
/// administrative operations (<c>enroll</c>, <c>list</c>, <c>remove</c>): through the running host's <c>admin</c>
/// method, or, when no host runs, by loading that one instance here. The host knows only their JSON results.
/// </summary>
internal static class TotpCommand
{
    public const string DefaultInstance = "totp";

    private const string PluginType = "totp";

    public static Command Create(CliConsole console)
    {
        var command = new Command("totp", "Manage TOTP enrollments of a totp plugin instance (through the running host when it runs, else directly in its state store)");
        command.Subcommands.Add(Enroll(console));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Remove(console));
        command.Subcommands.Add(TotpImportCommand.Create(console));
        command.Subcommands.Add(Rekey(console));
        command.Subcommands.Add(Confirm(console));
        return command;
    }

    internal static Option<string> Instance() => new("--instance", "-i")
    {
        Description = "The totp plugin instance (its file in the plugin configuration folder without .ini)",
        HelpName = "NAME",
        DefaultValueFactory = _ => DefaultInstance,
    };

    private static Argument<string> User() => new("USER") { Description = "The user, as the gateway names them after identity mapping (the MFA identity)" };

    private static Command Enroll(CliConsole console)
    {
        var config = CliOptions.Config();
        var socket = CliOptions.Socket();
        var instance = Instance();
        var user = User();
        var issuer = new Option<string?>("--issuer") { Description = "The issuer shown in the authenticator app (default: [totp] issuer)", HelpName = "NAME" };
        var png = new Option<string?>("--png") { Description = "Also write the QR code as a PNG image to FILE", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Replace an existing enrollment once the new one is confirmed (with --no-confirm: at once)" };
        var noConfirm = new Option<bool>("--no-confirm") { Description = "Active at once, without waiting for a first code (scripted bulk setups)" };
        var command = new Command("enroll", "Create a secret and scratch codes for USER, pending until the first code from them (mfahost totp confirm, or a login); print the otpauth:// URI, a QR code and the scratch codes (shown once)")
        {
            config, socket, instance, user, issuer, png, force, noConfirm,
        };
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(instance)!;
            var arguments = new JsonObject { ["user"] = parse.GetValue(user), ["replace"] = parse.GetValue(force), ["no_confirm"] = parse.GetValue(noConfirm) };
            if (parse.GetValue(issuer) is { } issuerName)
            {
                arguments["issuer"] = issuerName;
            }

            var hint = parse.GetValue(force) ? string.Empty : "; use --force to replace the enrollment";
            var (result, failed) = await new PluginAdminCall(console, parse.GetValue(socket), parse.GetValue(config), hint).RunAsync(name, PluginType, "enroll", arguments, ct);
            if (failed is { } exitCode)
            {
                return exitCode;
            }

            var uri = Text(result, "uri");
            using var qrData = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.M);
            var output = console.Out;
            output.WriteLine($"Enrolled {Text(result, "user")} in instance '{name}' ({Text(result, "algorithm")}, {Number(result, "digits")} digits, {Number(result, "period")} s).");
            output.WriteLine("Scan this QR code with an authenticator app (or enter the URI by hand):");
            output.WriteLine();
            output.WriteLine(new AsciiQRCode(qrData).GetGraphicSmall(drawQuietZones: true, invert: false, endOfLine: "\n"));
            output.WriteLine(uri);
            if (parse.GetValue(png) is { Length: > 0 } pngPath)
            {
                var full = Path.GetFullPath(pngPath);
                await File.WriteAllBytesAsync(full, new PngByteQRCode(qrData).GetGraphic(8), ct);
                output.WriteLine($"QR code written to {full} (it contains the secret: delete it once scanned)");
            }

            output.WriteLine();
            var scratchCodes = result?["scratch_codes"]?.AsArray() ?? [];
            if (scratchCodes.Count > 0)
            {
                output.WriteLine("Scratch codes (each works once in place of a one-time password; they are shown only now):");
                foreach (var code in scratchCodes)
                {
                    output.WriteLine("  " + code?.GetValue<string>());
                }
            }

            if (result?["pending"]?.GetValue<bool>() == true)
            {
                var userName = Text(result, "user");
                output.WriteLine();
                output.WriteLine($"Pending until {Utc(Text(result, "pending_until"))} UTC: the enrollment becomes active with the first code from the app");
                output.WriteLine($"(mfahost totp confirm {userName} CODE, or {userName}'s first login), and is dropped if none comes.");
                if (parse.GetValue(force))
                {
                    output.WriteLine($"Until then {userName}'s current enrollment keeps working.");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliConsole console)
    {
        var config = CliOptions.Config();
        var socket = CliOptions.Socket();
        var instance = Instance();
        var command = new Command("list", "List the enrolled users: when enrolled, parameters, scratch codes left (never secrets)") { config, socket, instance };
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(instance)!;
            var (result, failed) = await new PluginAdminCall(console, parse.GetValue(socket), parse.GetValue(config)).RunAsync(name, PluginType, "list", [], ct);
            if (failed is { } exitCode)
            {
                return exitCode;
            }

            var rows = new List<string[]>();
            foreach (var enrollment in result?["enrollments"]?.AsArray() ?? [])
            {
                var pendingOnly = enrollment?["pending_until"] is not null;
                rows.Add([
                    Text(enrollment, "user"),
                    Utc(Text(enrollment, "enrolled_at")),
                    pendingOnly ? "-" : $"{Text(enrollment, "algorithm")}/{Number(enrollment, "digits")}/{Number(enrollment, "period")}s",
                    pendingOnly ? "-" : $"{Number(enrollment, "scratch_codes_left")} of {Number(enrollment, "scratch_codes_issued")}",
                    pendingOnly ? $"pending until {Utc(Text(enrollment, "pending_until"))}"
                        : enrollment?["replacement_pending_until"] is not null ? $"active; new one pending until {Utc(Text(enrollment, "replacement_pending_until"))}" : "active",
                ]);
            }

            string[] header = ["USER", "ENROLLED (UTC)", "ALGORITHM/DIGITS/PERIOD", "SCRATCH CODES LEFT", "STATUS"];
            var widths = Enumerable.Range(0, header.Length).Select(c => rows.Select(r => r[c].Length).Append(header[c].Length).Max()).ToArray();
            foreach (var row in rows.Prepend(header))
            {
                console.Out.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            }

            if (rows.Count == 0)
            {
                console.Out.WriteLine($"(no users enrolled in instance '{name}')");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove(CliConsole console)
    {
        var config = CliOptions.Config();
        var socket = CliOptions.Socket();
        var instance = Instance();
        var user = User();
        var command = new Command("remove", "Remove USER's enrollment (secret and scratch codes); exit 1 when USER is not enrolled") { config, socket, instance, user };
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(instance)!;
            var userName = parse.GetValue(user)!;
            var (_, failed) = await new PluginAdminCall(console, parse.GetValue(socket), parse.GetValue(config)).RunAsync(name, PluginType, "remove", new JsonObject { ["user"] = userName }, ct);
            if (failed is { } exitCode)
            {
                return exitCode;
            }

            console.Out.WriteLine($"Removed the TOTP enrollment of {userName} from instance '{name}'.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Confirm(CliConsole console)
    {
        var config = CliOptions.Config();
        var socket = CliOptions.Socket();
        var instance = Instance();
        var user = User();
        var code = new Argument<string>("CODE") { Description = "A current code from the authenticator app the new enrollment was scanned into" };
        var command = new Command("confirm", "Make USER's pending enrollment active with a current CODE from it; exit 1 when the code does not match") { config, socket, instance, user, code };
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(instance)!;
            var userName = parse.GetValue(user)!;
            var arguments = new JsonObject { ["user"] = userName, ["code"] = parse.GetValue(code) };
            var (_, failed) = await new PluginAdminCall(console, parse.GetValue(socket), parse.GetValue(config)).RunAsync(name, PluginType, "confirm", arguments, ct);
            if (failed is { } exitCode)
            {
                return exitCode;
            }

            console.Out.WriteLine($"Confirmed: the new enrollment of {userName} is active in instance '{name}'.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Rekey(CliConsole console)
    {
        var config = CliOptions.Config();
        var socket = CliOptions.Socket();
        var instance = Instance();
        var command = new Command("rekey", "Seal every TOTP secret again under a new key (a new generated key; with seed_key_previous set, the configured seed_key)") { config, socket, instance };
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(instance)!;
            var (result, failed) = await new PluginAdminCall(console, parse.GetValue(socket), parse.GetValue(config)).RunAsync(name, PluginType, "rekey", [], ct);
            if (failed is { } exitCode)
            {
                return exitCode;
            }

            console.Out.WriteLine($"Sealed {result?["rewritten"]?.GetValue<int>() ?? 0:N0} secret(s) of instance '{name}' again: key id {Text(result, "previous_key_id")} -> {Text(result, "key_id")}.");
            console.Out.WriteLine($"Next: {Text(result, "next")}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Utc(string iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : iso;

    private static string Text(JsonNode? node, string field) => node?[field]?.GetValue<string>() ?? string.Empty;

    private static string Number(JsonNode? node, string field) => (node?[field]?.GetValue<int>() ?? 0).ToString(CultureInfo.InvariantCulture);
}
