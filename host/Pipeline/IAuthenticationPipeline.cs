namespace MfaHost.Pipeline;

/// <summary>
/// The steps around a plugin (username check, whitelist, cache, mapping, OTP extraction, the plugin,
/// questions after ACCEPT) and the session bookkeeping. The protocol layer's only way into plugins.
/// </summary>
internal interface IAuthenticationPipeline
{
    /// <summary>Runs one <c>authenticate</c> call.</summary>
    /// <exception cref="UnknownPluginException">No instance of that name is configured, or it failed to load.</exception>
    /// <exception cref="OperationCanceledException">The caller went away, or the request timed out (the caller maps it).</exception>
    Task<AuthenticationOutcome> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken);

    /// <summary>The gateway's session ended: plugins release what they hold. False when the id is unknown.</summary>
    Task<bool> SessionEndedAsync(string sessionId, CancellationToken cancellationToken);
}
