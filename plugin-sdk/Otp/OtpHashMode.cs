namespace MfaHost.PluginSdk;

/// <summary>The HMAC hash function of a one-time password (RFC 4226 uses SHA-1; RFC 6238 allows SHA-256 and SHA-512).</summary>
public enum OtpHashMode
{
    /// <summary>HMAC-SHA-1: what every authenticator app supports; the default.</summary>
    Sha1,

    /// <summary>HMAC-SHA-256.</summary>
    Sha256,

    /// <summary>HMAC-SHA-512.</summary>
    Sha512,
}
