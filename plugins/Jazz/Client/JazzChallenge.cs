namespace MfaHost.Plugins.Jazz.Client;

/// <summary>What a Jazz server asked for instead of serving a request.</summary>
internal sealed record JazzChallenge(JazzAuthenticationMethod Method, string Description, Uri? AuthorizationRedirect = null);
