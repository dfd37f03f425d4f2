namespace MfaHost.Tickets;

/// <summary>A <c>ticket</c> request was refused; <see cref="Reason"/> is the stable word for <c>error.data.reason</c>.</summary>
internal sealed class TicketRefusedException(string reason, string message) : Exception(message)
{
    public const string CallerNotAuthorized = "caller_not_authorized";
    public const string ApplidNotAllowed = "applid_not_allowed";
    public const string ApplidInvalid = "applid_invalid";
    public const string TokenInvalid = "token_invalid";
    public const string TokenExpired = "token_expired";

    public string Reason { get; } = reason;
}
