namespace MfaHost.Plugins.Hmc.Api;

/// <summary>The names the HMC Web Services API uses, each in one place.</summary>
internal static class HmcApi
{
    /// <summary>The logon body's one-time code field (our reading of the HMC WS API book).</summary>
    public const string MfaCodeField = "mfa-code";

    public const string UseridField = "userid";
    public const string PasswordField = "password";

    /// <summary>The header that carries the session id on every call after logon.</summary>
    public const string SessionHeader = "X-API-Session";

    public const string VersionPath = "/api/version";
    public const string SessionsPath = "/api/sessions";
    public const string ThisSessionPath = "/api/sessions/this-session";

    /// <summary>403 reason 0: bad user id, password or code.</summary>
    public const int ReasonBadCredentials = 0;

    /// <summary>403 reason 4: the request carried no session id.</summary>
    public const int ReasonNoSessionId = 4;

    /// <summary>403 reason 5: the session id is not valid (expired, logged off).</summary>
    public const int ReasonSessionInvalid = 5;
}
