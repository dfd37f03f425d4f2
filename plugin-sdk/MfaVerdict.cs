namespace MfaHost.PluginSdk;

/// <summary>
/// The outcome of one authentication step: ACCEPT, DENY or NEEDINFO, with the stable
/// <see cref="Reason"/> word and a <see cref="Message"/> that may be shown to the end user.
/// </summary>
/// <remarks>A message is shown to end users and written to logs: it never contains a secret.</remarks>
public sealed record MfaVerdict
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    private MfaVerdict(MfaVerdictKind kind, string reason, string message)
    {
        Kind = kind;
        Reason = reason;
        Message = message;
    }

    /// <summary>ACCEPT, DENY or NEEDINFO.</summary>
    public MfaVerdictKind Kind { get; }

    /// <summary>A stable snake_case word; see <see cref="MfaReasons"/>.</summary>
    public string Reason { get; init; }

    /// <summary>Short text that may be shown to the end user. Never a secret.</summary>
    public string Message { get; init; }

    /// <summary>For NEEDINFO: the prompt the gateway shows.</summary>
    public string? Question { get; init; }

    /// <summary>For NEEDINFO: what the question asks for (<c>otp</c>, or a configured question's key).</summary>
    public string? Key { get; init; }

    /// <summary>For NEEDINFO: whether the gateway hides what the user types.</summary>
    public bool DisableEcho { get; init; }

    /// <summary>Data for the gateway (for example an HMC session id). Empty when there is none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = NoMetadata;

    /// <summary>True for ACCEPT.</summary>
    public bool IsAccept => Kind == MfaVerdictKind.Accept;

    /// <summary>True for DENY.</summary>
    public bool IsDeny => Kind == MfaVerdictKind.Deny;

    /// <summary>True for NEEDINFO.</summary>
    public bool IsNeedInfo => Kind == MfaVerdictKind.NeedInfo;

    /// <summary>An ACCEPT.</summary>
    /// <param name="reason">Stable reason word; default <see cref="MfaReasons.Accepted"/>.</param>
    /// <param name="message">Text for the end user.</param>
    public static MfaVerdict Accept(string reason = MfaReasons.Accepted, string message = "") =>
        new(MfaVerdictKind.Accept, reason, message);

    /// <summary>A DENY.</summary>
    /// <param name="reason">Stable reason word; default <see cref="MfaReasons.AuthenticationFailed"/>.</param>
    /// <param name="message">Text for the end user; never a secret.</param>
    public static MfaVerdict Deny(string reason = MfaReasons.AuthenticationFailed, string message = "Authentication failed") =>
        new(MfaVerdictKind.Deny, reason, message);

    /// <summary>A NEEDINFO: the gateway asks the user <paramref name="question"/> and calls again with the answer.</summary>
    /// <param name="question">The prompt to show.</param>
    /// <param name="key">What is asked for (<c>otp</c> or a configured key).</param>
    /// <param name="disableEcho">Hide what the user types.</param>
    /// <param name="message">Optional text shown with the question.</param>
    public static MfaVerdict NeedInfo(string question, string key = "otp", bool disableEcho = true, string message = "") =>
        new(MfaVerdictKind.NeedInfo, MfaReasons.NeedInfo, message)
        {
            Question = question,
            Key = key,
            DisableEcho = disableEcho,
        };
}
