namespace MfaHost.Vocabulary;

/// <summary>The host cannot start (for example another host owns the socket); carries the CLI's exit code.</summary>
internal sealed class HostStartupException(string message, int exitCode = ExitCodes.UsageOrConfig, Exception? innerException = null)
    : Exception(message, innerException)
{
    public int ExitCode { get; } = exitCode;
}
