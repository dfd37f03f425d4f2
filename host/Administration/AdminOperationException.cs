namespace MfaHost.Administration;

/// <summary>
/// An administrative operation failed: <see cref="Reason"/> is the protocol's reason word (<see cref="ReasonWords"/>) (the <c>admin</c> method's
/// error data, and what the command line maps to its exit code), the message is for the operator.
/// </summary>
internal sealed class AdminOperationException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;

    /// <summary>Wrong input (the command line's usage error, exit 2) rather than a refusal (exit 1).</summary>
    public bool IsUsageError => Reason is ReasonWords.UnknownPlugin or ReasonWords.UnknownOperation or ReasonWords.InvalidArguments;
}
