namespace MfaHost.Plugins.Jazz.Tests.TestServer;

/// <summary>What the test Jazz server asks a client for.</summary>
public enum JazzServerMode
{
    /// <summary>Form login; the challenge is a 302 to the login page carrying <c>authrequired</c>.</summary>
    Form,

    /// <summary>Form login; the challenge is a 200 login page carrying <c>authrequired</c>.</summary>
    FormChallengeOn200,

    /// <summary>The Jazz Authorization Server: 401 with Basic and Bearer realm JSA and the JSA redirect headers.</summary>
    Jas,

    /// <summary>JAS whose login page asks for Kerberos (401 Negotiate).</summary>
    JasKerberos,

    /// <summary>HTTP Basic only.</summary>
    Basic,

    /// <summary>Kerberos only: 401 <c>WWW-Authenticate: Negotiate</c>.</summary>
    Kerberos,

    /// <summary>401 with a scheme no Jazz client speaks (Digest).</summary>
    UnknownScheme,

    /// <summary>401 without any challenge.</summary>
    NoChallenge,

    /// <summary>A plain web server: every path is served, nothing asks for authentication.</summary>
    NotJazz,

    /// <summary>Form login that accepts the credentials but challenges every request anyway.</summary>
    AlwaysChallenge,

    /// <summary>Protected resources answer 500.</summary>
    ServerError,
}
