namespace MfaHost.Resilience;

/// <summary>How one request ended, as far as the circuit breaker cares.</summary>
internal enum ServiceOutcome
{
    /// <summary>Cancelled, or the plugin failed in its own code: nothing learnt about the service.</summary>
    Abandoned = 0,

    /// <summary>The service answered (whatever it said).</summary>
    Answered = 1,

    /// <summary>The plugin threw <see cref="MfaServiceUnreachable"/>.</summary>
    Unreachable = 2,
}
