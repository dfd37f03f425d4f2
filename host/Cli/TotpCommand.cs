using System.CommandLine;
using System.Globalization;
using MfaHost.Configuration;
using MfaHost.Credentials;
using MfaHost.Plugins.Totp;
using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using MfaHost.State;
using QRCoder;

namespace MfaHost.Cli;

/// <summary>
/// <c>mfahost totp enroll|list|remove</c>: TOTP enrollments of a <c>totp</c> plugin instance, written to the same
/// state store (<c>data_dir/state.db</c>) the running host reads, so no restart is needed.
/// </summary>
internal static class TotpCommand
{
    public const string DefaultInstance = "totp";

    public static Command Create(CliConsole console)
    {
        var command = new Command("totp", "Manage TOTP enrollments of a totp plugin instance (in the host's state store; the running host sees changes at once)");
        command.Subcommands.Add(Enroll(console));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Remove(console));
        return command;
    }

    private static Option<string> Instance() => new("--instance", "-i")
    {
        Description = "The totp plugin instance (its file in the plugin configuration folder without .ini)",
        HelpName = "NAME",
        DefaultValueFactory = _ => DefaultInstance,
    };

    private static Argument<string> User() => new("USER") { Description = "The user, as the gateway names them after identity mapping (the MFA identity)" };

    private static Command Enroll(CliConsole console)
    {
        var config = CliOptions.Config();
        var instance = Instance();
        var user = User();
        var issuer = new Option<string?>("--issuer") { Description = "The issuer shown in the authenticator app (default: [totp] issuer)", HelpName = "NAME" };
        var png = new Option<string?>("--png") { Description = "Also write the QR code as a PNG image to FILE", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Replace an existing enrollment (its secret and scratch codes stop working)" };
        var command = new Command("enroll", "Create a secret and scratch codes for USER; print the otpauth:// URI, a QR code to scan and the scratch codes (shown once)")
        {
            config, instance, user, issuer, png, force,
        };
        command.SetAction(async (parse, ct) =>
        {
            var opened = Open(parse.GetValue(config), parse.GetValue(instance)!, console);
            if (opened is not { } o)
            {
                return ExitCodes.UsageOrConfig;
            }

            await using var store = o.Store;
            var name = parse.GetValue(user)!;
            var issuerName = parse.GetValue(issuer) ?? o.Settings.Issuer;
            if (name.Length == 0 || name.Contains(':', StringComparison.Ordinal))
            {
                console.Error.WriteLine($"error: user '{name}' cannot be enrolled: an otpauth URI does not allow an empty name or ':' in it");
                return ExitCodes.UsageOrConfig;
            }

            if (issuerName.Contains(':', StringComparison.Ordinal))
            {
                console.Error.WriteLine($"error: --issuer '{issuerName}': an otpauth URI does not allow ':' in the issuer");
                return ExitCodes.UsageOrConfig;
            }

            var created = await o.Enrollments.EnrollAsync(name, o.Settings, parse.GetValue(force), ct);
            if (created is null)
            {
                var existing = await o.Enrollments.GetAsync(name, ct);
                console.Error.WriteLine($"error: {name} is already enrolled in instance '{o.Instance}'" +
                    (existing is null ? string.Empty : $" (since {Format(existing.EnrolledAt)})") + "; use --force to replace the enrollment");
                return ExitCodes.Failed;
            }

            var enrollment = created.Enrollment;
            var uri = enrollment.ToOtpUri(issuerName).ToString();
            using var qrData = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.M);
            var output = console.Out;
            output.WriteLine($"Enrolled {name} in instance '{o.Instance}' ({enrollment.AlgorithmName}, {enrollment.Digits} digits, {enrollment.Period} s).");
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
            if (created.ScratchCodes.Count > 0)
            {
                output.WriteLine("Scratch codes (each works once in place of a one-time password; they are shown only now):");
                foreach (var code in created.ScratchCodes)
                {
                    output.WriteLine("  " + code);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliConsole console)
    {
        var config = CliOptions.Config();
        var instance = Instance();
        var command = new Command("list", "List the enrolled users: when enrolled, parameters, scratch codes left (never secrets)") { config, instance };
        command.SetAction(async (parse, ct) =>
        {
            var opened = Open(parse.GetValue(config), parse.GetValue(instance)!, console);
            if (opened is not { } o)
            {
                return ExitCodes.UsageOrConfig;
            }

            await using var store = o.Store;
            var rows = new List<string[]>();
            foreach (var enrollment in await o.Enrollments.ListAsync(ct))
            {
                var left = await o.Enrollments.CountScratchCodesLeftAsync(enrollment, ct);
                rows.Add([
                    enrollment.User,
                    Format(enrollment.EnrolledAt),
                    $"{enrollment.AlgorithmName}/{enrollment.Digits}/{enrollment.Period}s",
                    $"{left.ToString(CultureInfo.InvariantCulture)} of {enrollment.ScratchCodeCount.ToString(CultureInfo.InvariantCulture)}",
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
                console.Out.WriteLine($"(no users enrolled in instance '{o.Instance}')");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove(CliConsole console)
    {
        var config = CliOptions.Config();
        var instance = Instance();
        var user = User();
        var command = new Command("remove", "Remove USER's enrollment (secret and scratch codes); exit 1 when USER is not enrolled") { config, instance, user };
        command.SetAction(async (parse, ct) =>
        {
            var opened = Open(parse.GetValue(config), parse.GetValue(instance)!, console);
            if (opened is not { } o)
            {
                return ExitCodes.UsageOrConfig;
            }

            await using var store = o.Store;
            var name = parse.GetValue(user)!;
            if (!await o.Enrollments.RemoveAsync(name, ct))
            {
                console.Error.WriteLine($"error: {name} is not enrolled in instance '{o.Instance}'");
                return ExitCodes.Failed;
            }

            console.Out.WriteLine($"Removed the TOTP enrollment of {name} from instance '{o.Instance}'.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Reads the host file and the instance's <c>[totp]</c> section and opens the store; null with the problem written when they are bad.</summary>
    private static Opened? Open(string? configOption, string instance, CliConsole console)
    {
        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(ConfigurationReport.ResolveConfigPath(configOption), errors);
        if (errors.Count > 0)
        {
            ConfigurationReport.WriteErrors(console.Error, errors);
            return null;
        }

        var file = Path.Combine(settings.PluginConfigDirectory, instance + ".ini");
        if (instance.Length == 0 || instance.IndexOfAny(['/', '\\']) >= 0 || !File.Exists(file))
        {
            console.Error.WriteLine($"error: no plugin instance '{instance}': {file} does not exist (see --instance)");
            return null;
        }

        TotpSettings totp;
        try
        {
            var configuration = new PluginConfiguration(IniFile.Load(file), file, NoCredentials.Instance);
            var type = configuration.Section("plugin").GetString("type", instance);
            if (type != "totp")
            {
                console.Error.WriteLine($"error: plugin instance '{instance}' ({file}) is of type '{type}', not 'totp'");
                return null;
            }

            totp = TotpSettings.FromConfiguration(configuration);
        }
        catch (MfaConfigurationException e)
        {
            ConfigurationReport.WriteErrors(console.Error, [e]);
            return null;
        }

        var store = StateStoreFactory.Open(settings, TimeProvider.System);
        return new Opened(instance, totp, store, new TotpEnrollmentStore(new NamespacedStateStore(store, instance), TimeProvider.System));
    }

    private sealed record Opened(string Instance, TotpSettings Settings, GuardedStateStore Store, TotpEnrollmentStore Enrollments);
}
