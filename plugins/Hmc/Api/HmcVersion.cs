namespace MfaHost.Plugins.Hmc.Api;

/// <summary>What <c>GET /api/version</c> answered.</summary>
internal sealed record HmcVersion(string? HmcName, string? HmcVersionText, int ApiMajorVersion, int ApiMinorVersion)
{
    public string ApiVersion => $"{ApiMajorVersion}.{ApiMinorVersion}";
}
