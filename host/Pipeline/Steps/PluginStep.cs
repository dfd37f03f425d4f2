using MfaHost.PluginSdk;

namespace MfaHost.Pipeline.Steps;

/// <summary>
/// The last step: the instance's plugin, called under the host's policy (<see cref="PluginCallGuard"/>: circuit breaker,
/// fail-open, <c>request_timeout</c>). Its session is tracked from here on, so <c>session_ended</c> reaches the plugin.
/// </summary>
internal sealed class PluginStep(PluginCallGuard guard, SessionLifetime lifetime) : IAuthenticationStep
{
    public async ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
    {
        TrackedSession tracked;
        MfaSession? session;
        do
        {
            tracked = lifetime.Track(login.SessionId);
            session = tracked.SessionFor(login.Instance);
        }
        while (session is null);

        var request = login.Request;
        var mfaRequest = new MfaRequest
        {
            Username = request.Username,
            MfaIdentity = login.MfaIdentity,
            MfaPassword = login.Otp,
            Password = request.Password,
            Session = session,
            ClientIp = request.ClientIp,
            Protocol = request.Protocol,
            Target = request.Target,
            PushNumber = login.PushNumber,
            Attributes = login.Attributes,
        };
        return login.Outcome(await guard.AuthenticateAsync(login.Instance, login.Settings, mfaRequest, cancellationToken, tracked.EndedToken));
    }
}
