using MfaHost.Configuration;

namespace MfaHost.Pipeline.Steps;

/// <summary>
/// <c>[usermapping]</c> and <c>[username_transform]</c>: the identity at the MFA service, unless the gateway gave one
/// (<c>mfa_identity</c>). Decides nothing; an answer keeps the identity its login started with.
/// </summary>
internal sealed class IdentityMappingStep : IAuthenticationStep
{
    public bool IsOn(PipelineSettings settings) => settings.UserMapping is { Explicit.Count: > 0 } or { AppendDomain: not null };

    public ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken) =>
        login.Answering is null && login.Request.MfaIdentity is not { Length: > 0 }
            ? next(login with { MfaIdentity = login.Settings.UserMapping.Map(login.Username) }, cancellationToken)
            : next(login, cancellationToken);
}
