using System.CommandLine;

namespace MfaHost.Cli;

/// <summary>
/// <c>mfahost totp import FILE|FOLDER</c>: existing authenticator enrollments into a totp instance, through the plugin's
/// <c>import</c> and <c>import-finish</c> operations. The command only cuts the input into parts that fit the host's
/// frame size (whole lines of a file; whole files of a folder) and shows progress; the plugin parses, checks the whole
/// input (nothing is written when any line is bad) and stores it. The run is <see cref="TotpImportSession"/>.
/// </summary>
internal static class TotpImportCommand
{
    private const string PluginType = "totp";

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
            var run = new TotpImportSession(console, bar, name, input, Directory.Exists(input) ? "google-authenticator" : formatName, parse.GetValue(dryRun), parse.GetValue(force));
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
}
