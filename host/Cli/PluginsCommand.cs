using System.CommandLine;
using MfaHost.Plugins;

namespace MfaHost.Cli;

/// <summary><c>mfahost plugins</c>: the configured instances as the host would load them.</summary>
internal static class PluginsCommand
{
    public static Command Create(CliConsole console)
    {
        var config = CliOptions.Config();
        var command = new Command("plugins", "List the configured plugin instances: type, version, capabilities, and whether they load (with the reason when not), then the same problems check-config reports; exit 0 when every instance loads, 1 when one does not, 2 on a configuration error")
        {
            config,
        };
        command.SetAction(async (parse, _) =>
        {
            await using var loaded = await LoadedConfiguration.LoadAsync(ConfigurationReport.ResolveConfigPath(parse.GetValue(config)), console);
            if (loaded.Catalog is { } catalog)
            {
                WriteTable(console.Out, catalog.Instances);
            }

            foreach (var problem in loaded.Problems)
            {
                console.Error.WriteLine($"error: {problem}");
            }

            return loaded.Errors.Count > 0 || loaded.Catalog is null ? ExitCodes.UsageOrConfig
                : loaded.Catalog.Instances.All(i => i.IsLoaded) ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    public static void WriteTable(TextWriter writer, IReadOnlyList<PluginInstance> instances)
    {
        var rows = instances.Select(i => new[]
        {
            i.Name,
            i.Type,
            i.Version,
            string.Join(",", PluginInstance.CapabilityWords(i.Capabilities)),
            i.IsLoaded ? "loaded" : "failed: " + i.Error,
        }).ToList();
        string[] header = ["INSTANCE", "TYPE", "VERSION", "CAPABILITIES", "STATUS"];
        var widths = Enumerable.Range(0, 4).Select(c => rows.Select(r => r[c].Length).Append(header[c].Length).Max()).ToArray();
        void Write(string[] row) =>
            writer.WriteLine(string.Join("  ", row.Take(4).Select((cell, c) => cell.PadRight(widths[c]))) + "  " + row[4]);
        Write(header);
        foreach (var row in rows)
        {
            Write(row);
        }

        if (instances.Count == 0)
        {
            writer.WriteLine("(no plugin instances configured)");
        }
    }
}
