namespace MfaHost.Testing;

/// <summary>What an in-process run of the <c>mfahost</c> command line gave.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error);
