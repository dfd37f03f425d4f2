namespace MfaHost.Access;

/// <summary>Whether a caller may call a method; when not, the stable <c>error.data.reason</c> word and why.</summary>
internal readonly record struct AccessDecision(bool Allowed, string Reason, string Message)
{
    public static AccessDecision Allow { get; } = new(true, string.Empty, string.Empty);

    public static AccessDecision Refuse(string reason, string message) => new(false, reason, message);
}
