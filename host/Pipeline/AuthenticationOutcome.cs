using MfaHost.PluginSdk;

namespace MfaHost.Pipeline;

/// <summary>What the pipeline answers for one <c>authenticate</c> call.</summary>
/// <param name="Verdict">The verdict (ACCEPT, DENY or NEEDINFO) with reason, message and question.</param>
/// <param name="MfaIdentity">The identity used at the MFA service (ACCEPT and DENY), when known.</param>
/// <param name="SessionToken">The host-signed session token (ACCEPT only), when token issuing is configured.</param>
internal sealed record AuthenticationOutcome(MfaVerdict Verdict, string? MfaIdentity, string? SessionToken = null);
