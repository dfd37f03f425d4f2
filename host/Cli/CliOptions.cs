using System.CommandLine;

namespace MfaHost.Cli;

/// <summary>Options several commands share, so they are spelled and described once.</summary>
internal static class CliOptions
{
    public static Option<string?> Config() => new("--config", "-c")
    {
        Description = "The host configuration file (default: $MFAHOST_CONFIG, else config/mfahost.ini next to the program)",
        HelpName = "PATH",
    };

    public static Option<string?> Socket() => new("--socket", "-s")
    {
        Description = "The host's socket (default: [host] socket of the configuration)",
        HelpName = "PATH",
    };
}
