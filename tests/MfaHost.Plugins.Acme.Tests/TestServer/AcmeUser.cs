namespace MfaHost.Plugins.Acme.Tests.TestServer;

/// <summary>How the fake Acme service treats one user: the push's outcome, the valid code, and faults per call.</summary>
public sealed record AcmeUser
{
    /// <summary>What a push ends in; <see cref="PushDecision.Never"/> keeps answering "waiting".</summary>
    public PushDecision Push { get; init; } = PushDecision.Approve;

    /// <summary>How many polls answer "waiting" before the decision is reported.</summary>
    public int WaitingPolls { get; init; }

    /// <summary>The code <c>POST /otp/verify</c> accepts.</summary>
    public string ValidOtp { get; init; } = "123456";

    /// <summary>A fault on <c>POST /push</c>.</summary>
    public AcmeFault OnPushStart { get; init; }

    /// <summary>A fault on <c>GET /push/{txid}</c>.</summary>
    public AcmeFault OnPoll { get; init; }

    /// <summary>A fault on <c>POST /otp/verify</c>.</summary>
    public AcmeFault OnOtp { get; init; }

    /// <summary>Every answer for this user waits this long first (a slow service).</summary>
    public TimeSpan Delay { get; init; }
}

/// <summary>What a push ends in.</summary>
public enum PushDecision
{
    Approve,
    Deny,
    Expire,
    Never,
}

/// <summary>A misbehaviour of one call.</summary>
public enum AcmeFault
{
    None,

    /// <summary>Never answers (until the client gives up).</summary>
    Hang,

    /// <summary>500 with a JSON error.</summary>
    ServerError,

    /// <summary>503 with an HTML page.</summary>
    Unavailable,

    /// <summary>The success status with a body that is not JSON.</summary>
    GarbageJson,

    /// <summary>The success status with JSON of the wrong shape.</summary>
    WrongShape,

    /// <summary>The success status with an unknown status/result word.</summary>
    UnknownWord,

    /// <summary>Starts the answer, then drops the connection (HttpContext.Abort).</summary>
    AbortMidResponse,

    /// <summary>Drops the connection before any answer.</summary>
    AbortBeforeResponse,

    /// <summary>429 rate_limited.</summary>
    RateLimited,

    /// <summary>418, a status the API never uses.</summary>
    UnexpectedStatus,

    /// <summary>302 to another URL.</summary>
    Redirect,

    /// <summary>404 unknown_txid (the service forgot the transaction).</summary>
    UnknownTxid,
}
