using System.CommandLine;
using System.Globalization;
using System.Text;
using MfaHost.Client;

namespace MfaHost.Cli;

/// <summary>
/// <c>mfahost auth</c>: authenticates a user through a running host, as a gateway would; answers a
/// NEEDINFO by asking on the terminal. Exit 0 ACCEPT, 1 DENY or host not reachable, 2 usage or configuration.
/// </summary>
internal static class AuthCommand
{
    private const int MaxRoundTrips = 16;

    public static Command Create(CliConsole console)
    {
        var plugin = new Option<string>("--plugin", "-p") { Description = "The plugin instance to ask", Required = true, HelpName = "NAME" };
        var user = new Option<string>("--user", "-u") { Description = "The user", Required = true, HelpName = "USER" };
        var otp = new Option<string?>("--otp") { Description = "A one-time password (without it: push, or the host asks)", HelpName = "CODE" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the user's primary password from the first line of standard input" };
        var session = new Option<string?>("--session") { Description = "The session id (default: a new one)", HelpName = "ID" };
        var clientIp = new Option<string?>("--client-ip") { Description = "The client address to report", HelpName = "IP" };
        var protocol = new Option<string?>("--protocol") { Description = "The connection protocol to report (ssh, rdp, https ...)", HelpName = "PROTO" };
        var socket = CliOptions.Socket();
        var config = CliOptions.Config();
        var command = new Command("auth", "Authenticate a user through the running host, as a gateway would; exit 0 ACCEPT, 1 DENY or host not reachable, 2 usage or configuration")
        {
            plugin, user, otp, passwordStdin, session, clientIp, protocol, socket, config,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (HostSocketOption.Resolve(parse.GetValue(socket), parse.GetValue(config), console) is not { } socketPath)
            {
                return ExitCodes.UsageOrConfig;
            }

            string? password = null;
            if (parse.GetValue(passwordStdin))
            {
                password = await console.In.ReadLineAsync(ct);
                if (password is null)
                {
                    console.Error.WriteLine("error: --password-stdin given, but standard input is empty");
                    return ExitCodes.UsageOrConfig;
                }
            }

            var request = new AuthenticateParams
            {
                Plugin = parse.GetValue(plugin)!,
                Username = parse.GetValue(user)!,
                SessionId = parse.GetValue(session) ?? "cli-" + Guid.NewGuid().ToString("N")[..12],
                MfaPassword = parse.GetValue(otp),
                Password = password,
                ClientIp = parse.GetValue(clientIp),
                Protocol = parse.GetValue(protocol),
            };
            return await RunAsync(socketPath, request, console, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(string socketPath, AuthenticateParams request, CliConsole console, CancellationToken cancellationToken)
    {
        MfaHostClient client;
        try
        {
            client = await MfaHostClient.ConnectAsync(socketPath, cancellationToken);
        }
        catch (IOException e)
        {
            HostSocketOption.WriteUnreachable(console, socketPath, e);
            return ExitCodes.Failed;
        }

        await using (client)
        {
            try
            {
                var result = await client.AuthenticateAsync(request, cancellationToken);
                for (var round = 1; result.IsNeedInfo; round++)
                {
                    if (round > MaxRoundTrips)
                    {
                        console.Error.WriteLine($"error: the host asked more than {MaxRoundTrips} questions; giving up");
                        return ExitCodes.Failed;
                    }

                    if (result.Message.Length > 0)
                    {
                        console.Out.WriteLine(result.Message);
                    }

                    console.Out.Write(result.Question);
                    console.Out.Flush();
                    var answer = await ReadAnswerAsync(console, result.DisableEcho == true, cancellationToken);
                    if (answer is null)
                    {
                        console.Out.WriteLine();
                        console.Error.WriteLine("error: no answer (end of input)");
                        return ExitCodes.Failed;
                    }

                    result = await client.AuthenticateAsync(request.WithAnswer(answer), cancellationToken);
                }

                // Never the session token or metadata values: they are credentials.
                console.Out.WriteLine($"verdict: {result.Verdict}");
                console.Out.WriteLine($"reason: {result.Reason}");
                console.Out.WriteLine($"message: {result.Message}");
                if (result.MfaIdentity is { } identity)
                {
                    console.Out.WriteLine($"mfa_identity: {identity}");
                }

                if (result.Metadata is { Count: > 0 } metadata)
                {
                    console.Out.WriteLine($"metadata: {string.Join(", ", metadata.Keys.Order(StringComparer.Ordinal))}");
                }

                return result.IsAccept ? ExitCodes.Ok : ExitCodes.Failed;
            }
            catch (MfaHostRpcException e)
            {
                console.Error.WriteLine($"error: {e.Message} ({e.Reason ?? e.Code.ToString(CultureInfo.InvariantCulture)})");
                return e.Code is -32600 or -32601 or -32602 ? ExitCodes.UsageOrConfig : ExitCodes.Failed;
            }
            catch (IOException e)
            {
                HostSocketOption.WriteUnreachable(console, socketPath, e);
                return ExitCodes.Failed;
            }
        }
    }

    private static async Task<string?> ReadAnswerAsync(CliConsole console, bool hidden, CancellationToken cancellationToken)
    {
        if (!hidden || !console.IsInteractive)
        {
            return await console.In.ReadLineAsync(cancellationToken);
        }

        var answer = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    console.Out.WriteLine();
                    return answer.ToString();
                case ConsoleKey.Backspace:
                    if (answer.Length > 0)
                    {
                        answer.Length--;
                    }

                    break;
                default:
                    if (key.KeyChar == '\u0004' && answer.Length == 0)
                    {
                        return null;
                    }

                    if (!char.IsControl(key.KeyChar))
                    {
                        answer.Append(key.KeyChar);
                    }

                    break;
            }
        }
    }
}
