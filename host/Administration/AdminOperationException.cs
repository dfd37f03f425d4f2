namespace MfaHost.Administration;

/// <summary>
/// An administrative operation failed: <see cref="Reason"/> is the protocol's reason word (the <c>admin</c> method's
/// error data, and what the command line maps to its exit code), the message is for the operator.
/// </summary>
internal sealed class AdminOperationException(string reason, string message) : Exception(message)
{
    public const string UnknownPlugin = "unknown_plugin";
    public const string PluginUnavailable = "plugin_unavailable";
    public const string UnknownOperation = "unknown_operation";
    public const string InvalidArguments = "invalid_arguments";
    public const string Refused = "operation_refused";
    public const string Timeout = "timeout";

    public string Reason { get; } = reason;

    /// <summary>Wrong input (the command line's usage error, exit 2) rather than a refusal (exit 1).</summary>
    public bool IsUsageError => Reason is UnknownPlugin or UnknownOperation or InvalidArguments;
}
