namespace MfaHost.Pipeline;

/// <summary>
/// Why a request did not get the answer its own work would have given. <see cref="CancellationAnswers"/> turns each
/// into the answer docs/protocol.md documents; every other layer only finds and passes on the cause.
/// </summary>
internal enum CancellationCause
{
    /// <summary><c>[host] request_timeout</c> passed.</summary>
    RequestTimeout,

    /// <summary>The connection closed: the gateway gave up (closed its socket), or the host closed it (a frame or idle limit).</summary>
    GatewayGone,

    /// <summary>The host stops: it no longer admits requests, or its <c>shutdown_timeout</c> passed.</summary>
    ShuttingDown,

    /// <summary>A reload replaced the instance, and it drained for longer than <c>drain_timeout</c>.</summary>
    InstanceRetired,

    /// <summary><c>session_ended</c> arrived for the session while its plugin call ran.</summary>
    SessionEnded,

    /// <summary>A host-wide capacity limit refused the request (<c>max_in_flight</c>, or too many open conversations).</summary>
    Overloaded,
}
