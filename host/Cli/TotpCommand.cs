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
        var force = new Option<bool>("--force") { Description = "Replace an existing enrollment (its secret and scratch codes stop working)" };
        var command = new Command("enroll", "Create a secret and scratch codes for USER; print the otpauth:// URI, a QR code to scan and the scratch codes (shown once)")
        {
            config, socket, instance, user, issuer, png, force,
        };
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(instance)!;
            var arguments = new JsonObject { ["user"] = parse.GetValue(user), ["replace"] = parse.GetValue(force) };
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
                rows.Add([
                    Text(enrollment, "user"),
                    DateTimeOffset.Parse(Text(enrollment, "enrolled_at"), CultureInfo.InvariantCulture).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    $"{Text(enrollment, "algorithm")}/{Number(enrollment, "digits")}/{Number(enrollment, "period")}s",
                    $"{Number(enrollment, "scratch_codes_left")} of {Number(enrollment, "scratch_codes_issued")}",
                ]);
            }

            string[] header = ["USER", "ENROLLED (UTC)", "ALGORITHM/DIGITS/PERIOD", "SCRATCH CODES LEFT"];
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

    private static string Text(JsonNode? node, string field) => node?[field]?.GetValue<string>() ?? string.Empty;

    private static string Number(JsonNode? node, string field) => (node?[field]?.GetValue<int>() ?? 0).ToString(CultureInfo.InvariantCulture);
}
