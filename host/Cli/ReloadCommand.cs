using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace MfaHost.Cli;

/// <summary>
/// <c>mfahost reload</c>: asks the running host to read its configuration again (the admin <c>reload</c>
/// method). Exit 0 when the new configuration serves, 2 when it was refused (every problem printed; the
/// old one keeps serving), 1 when the host cannot be reached or refuses the caller.
/// </summary>
internal static class ReloadCommand
{
    private static readonly string[] Changes = ["added", "changed", "removed"];

    public static Command Create(CliConsole console)
    {
        var socket = CliOptions.Socket();
        var config = CliOptions.Config();
        var command = new Command("reload", "Make the running host read its configuration and plugin folders again without dropping a login; exit 0 when the new configuration serves, 2 when it has problems (listed; the old one keeps serving), 1 when the host is not reachable or refuses")
        {
            socket,
            config,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(socket), parse.GetValue(config), console, ct));
        return command;
    }

    private static Task<int> RunAsync(string? socketOption, string? configOption, CliConsole console, CancellationToken cancellationToken) =>
        HostSocketOption.CallHostAsync(socketOption, configOption, console, async client =>
        {
            var result = await client.CallAsync("reload", null, cancellationToken);
            var generation = result.GetProperty("generation").GetInt64();
            var loadedAt = result.GetProperty("loaded_at").GetDateTimeOffset().ToString("O", CultureInfo.InvariantCulture);
            if (!result.GetProperty("applied").GetBoolean())
            {
                foreach (var problem in Strings(result, "problems"))
                {
                    console.Error.WriteLine($"error: {problem}");
                }

                console.Error.WriteLine($"reload refused; configuration generation {generation} (loaded {loadedAt}) keeps serving");
                return ExitCodes.UsageOrConfig;
            }

            console.Out.WriteLine($"configuration generation {generation} loaded {loadedAt}");
            foreach (var change in Changes)
            {
                if (Strings(result, change) is { Count: > 0 } names)
                {
                    console.Out.WriteLine($"{change}: {string.Join(", ", names)}");
                }
            }

            if (Strings(result, "restart_required") is { Count: > 0 } restart)
            {
                console.Out.WriteLine($"changed but applied only after a restart: {string.Join(", ", restart)}");
            }

            return ExitCodes.Ok;
        }, cancellationToken);

    private static List<string> Strings(JsonElement result, string property) =>
        result.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList()
            : [];
}
