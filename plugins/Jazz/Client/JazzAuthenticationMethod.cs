namespace MfaHost.Plugins.Jazz.Client;

/// <summary>How a Jazz server authenticated the client.</summary>
public enum JazzAuthenticationMethod
{
    /// <summary>No authentication has been performed yet.</summary>
    None = 0,

    /// <summary>Form login: <c>j_security_check</c> with <c>j_username</c> and <c>j_password</c>.</summary>
    Form,

    /// <summary>The Jazz Authorization Server (OIDC), logged in with Basic on its authorization URL.</summary>
    Jas,

    /// <summary>HTTP Basic on every request.</summary>
    Basic,
}
