namespace MfaHost.Resilience;

/// <summary>
/// The state of an instance's circuit breaker (configured by its <c>[circuit]</c> section): whether
/// requests reach the plugin, or are answered "service unreachable" at once because the service is down.
/// </summary>
internal enum CircuitState
{
    /// <summary>Requests reach the plugin (the normal state).</summary>
    Closed = 0,

    /// <summary>The service failed repeatedly: requests are answered "service unreachable" without calling the plugin.</summary>
    Open = 1,

    /// <summary>The open period is over: one probe request reaches the plugin, the others still get the fast answer.</summary>
    HalfOpen = 2,
}

/// <summary>The words <c>plugins</c> and the status page show for a <see cref="CircuitState"/>.</summary>
internal static class CircuitStateWords
{
    public static string Word(this CircuitState state) => state switch
    {
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        _ => "closed",
    };
}
