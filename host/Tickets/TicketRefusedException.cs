namespace MfaHost.Tickets;

/// <summary>A <c>ticket</c> request was refused; <see cref="Reason"/> is the stable word (<see cref="ReasonWords"/>) for <c>error.data.reason</c>.</summary>
internal sealed class TicketRefusedException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
