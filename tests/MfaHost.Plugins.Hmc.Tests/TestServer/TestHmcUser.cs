namespace MfaHost.Plugins.Hmc.Tests.TestServer;

/// <summary>A user of the test HMC; <see cref="TotpSecret"/> set means the user is set up for HMC MFA.</summary>
public sealed record TestHmcUser(string Userid, string Password, byte[]? TotpSecret = null, int PasswordExpires = -1)
{
    public bool HasMfa => TotpSecret is not null;
}
