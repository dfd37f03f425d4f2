using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MfaHost.Client;

namespace MfaHost.Cli;

/// <summary>
/// <c>mfahost token create</c>, <c>mfahost ticket</c> and <c>mfahost ticket verify</c>: the operator's way to
/// issue one-time tokens and to test a ticket setup against a running host.
/// </summary>
internal static class TicketCommands
{
    private static readonly string[] TicketFields = ["user_id", "ticket", "application_name", "expires_at"];

    public static Command CreateToken(CliConsole console)
    {
        var user = new Option<string>("--user", "-u") { Description = "The user the token is for", Required = true };
        var ttl = new Option<int?>("--ttl") { Description = "Lifetime in seconds (default 600, at most [tokens] max_ttl)", HelpName = "SECONDS" };
        var socket = CliOptions.Socket();
        var config = CliOptions.Config();
        var create = new Command("create", "Create a one-time token that the user presents once instead of a one-time password; it is shown once") { user, ttl, socket, config };
        create.SetAction((parse, ct) => CallAsync(console, parse.GetValue(socket), parse.GetValue(config), "token_create",
            new JsonObject { ["username"] = parse.GetValue(user), ["ttl_s"] = parse.GetValue(ttl) },
            result =>
            {
                console.Out.WriteLine($"token: {result.GetProperty("token").GetString()}");
                console.Out.WriteLine($"expires_at: {result.GetProperty("expires_at").GetString()}");
                return ExitCodes.Ok;
            },
            ct));
        return new Command("token", "One-time tokens for break-glass or enrollment logins") { create };
    }

    public static Command CreateTicket(CliConsole console)
    {
        var token = new Option<string>("--token", "-t") { Description = "The session_token of an ACCEPT", Required = true };
        var applid = new Option<string>("--applid", "-a") { Description = "The application id (1 to 8 of A-Z0-9@#$)", Required = true };
        var socket = CliOptions.Socket();
        var config = CliOptions.Config();
        var ticket = new Command("ticket", "Ask the running host for an application ticket (as a ticket caller would); exit 0 when issued, 1 when refused") { token, applid, socket, config };
        ticket.SetAction((parse, ct) => CallAsync(console, parse.GetValue(socket), parse.GetValue(config), "ticket",
            new JsonObject { ["session_token"] = parse.GetValue(token), ["applid"] = parse.GetValue(applid) },
            result =>
            {
                foreach (var field in TicketFields)
                {
                    console.Out.WriteLine($"{field}: {result.GetProperty(field).GetString()}");
                }

                return ExitCodes.Ok;
            },
            ct));

        var user = new Option<string>("--user", "-u") { Description = "The ticket's user_id", Required = true };
        var verifyApplid = new Option<string>("--applid", "-a") { Description = "The application id", Required = true };
        var value = new Option<string>("--ticket") { Description = "The ticket", Required = true };
        var verifySocket = CliOptions.Socket();
        var verifyConfig = CliOptions.Config();
        var verify = new Command("verify", "Verify a ticket once (as the target application would); exit 0 when valid, 1 otherwise") { user, verifyApplid, value, verifySocket, verifyConfig };
        verify.SetAction((parse, ct) => CallAsync(console, parse.GetValue(verifySocket), parse.GetValue(verifyConfig), "ticket_verify",
            new JsonObject { ["user_id"] = parse.GetValue(user), ["applid"] = parse.GetValue(verifyApplid), ["ticket"] = parse.GetValue(value) },
            result =>
            {
                var valid = result.GetProperty("valid").GetBoolean();
                console.Out.WriteLine(valid ? "valid" : $"not valid: {result.GetProperty("reason").GetString()}");
                return valid ? ExitCodes.Ok : ExitCodes.Failed;
            },
            ct));
        ticket.Subcommands.Add(verify);
        return ticket;
    }

    private static async Task<int> CallAsync(
        CliConsole console, string? socketOption, string? configOption, string method, JsonObject parameters, Func<JsonElement, int> print, CancellationToken cancellationToken)
    {
        if (HostSocketOption.Resolve(socketOption, configOption, console) is not { } socketPath)
        {
            return ExitCodes.UsageOrConfig;
        }

        try
        {
            await using var client = await MfaHostClient.ConnectAsync(socketPath, cancellationToken);
            return print(await client.CallAsync(method, parameters, cancellationToken));
        }
        catch (IOException e)
        {
            HostSocketOption.WriteUnreachable(console, socketPath, e);
            return ExitCodes.Failed;
        }
        catch (MfaHostRpcException e)
        {
            console.Error.WriteLine($"refused: {e.Reason ?? e.Code.ToString(CultureInfo.InvariantCulture)}: {e.Message}");
            return e.Reason is "invalid_field" or "missing_field" or "invalid_params" ? ExitCodes.UsageOrConfig : ExitCodes.Failed;
        }
    }
}
