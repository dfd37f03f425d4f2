namespace MfaHost.Vocabulary;

/// <summary>The CLI's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Done; ACCEPT; the check passed.</summary>
    public const int Ok = 0;

    /// <summary>DENY; a check failed; the host could not be reached.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line or bad configuration.</summary>
    public const int UsageOrConfig = 2;
}
