namespace MfaHost.Cli;

/// <summary>Where a command writes and reads; the process console by default, captured in tests.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, TextReader In)
{
    public static CliConsole System { get; } = new(Console.Out, Console.Error, Console.In);

    public bool IsInteractive => ReferenceEquals(In, Console.In) && !Console.IsInputRedirected;

    /// <summary>Whether stderr is the process's own and a terminal (where a progress bar can be redrawn in place).</summary>
    public bool ErrorIsTerminal => ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;
}
