namespace MfaHost.Plugins.Hmc.Api;

/// <summary>What one logon sends; lives for that logon only (an <see cref="HmcSession"/> does not keep it).</summary>
internal sealed class HmcLogonCredentials(string userid, string password, string? mfaCode)
{
    public string Userid { get; } = userid;

    /// <summary>A secret.</summary>
    public string Password { get; } = password;

    /// <summary>The one-time code, or null to log on without <c>mfa-code</c>. A secret.</summary>
    public string? MfaCode { get; } = mfaCode;

    /// <summary>Deliberately without any secret.</summary>
    public override string ToString() => $"HMC user {Userid}";
}
