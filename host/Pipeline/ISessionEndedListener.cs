namespace MfaHost.Pipeline;

/// <summary>
/// Told when a tracked session ends (<c>session_ended</c>, idle expiry or eviction), after the plugins, in
/// registration order. Failures are logged, never passed to the gateway.
/// Example: voiding the session tokens issued for that session.
/// </summary>
internal interface ISessionEndedListener
{
    ValueTask SessionEndedAsync(string sessionId, CancellationToken cancellationToken);
}
