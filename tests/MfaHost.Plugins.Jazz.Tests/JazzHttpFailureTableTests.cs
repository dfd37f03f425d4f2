using MfaHost.Plugins.Jazz.Tests.Support;
using MfaHost.PluginSdk;
using MfaHost.Testing.Http;

namespace MfaHost.Plugins.Jazz.Tests;

/// <summary>The SDK's HTTP failure table through the jazz plugin (a password check).</summary>
public class JazzHttpFailureTableTests : HttpFailureTable
{
    protected override async Task<MfaVerdict> AuthenticateAsync(string host, int port, bool failOpen)
    {
        var configuration = PluginConfigurations.FromIni(Temp.Combine("jazz.ini"), $"[plugin]\ntype = jazz\n\n[jazz]\nurl = https://{host}:{port}/ccm\nca_file = {CaFile}\nrequest_timeout = 1\n");
        await using var client = new JazzMfaClient(PluginConfigurations.Context(configuration, Log));
        var request = new MfaRequest
        {
            Username = "alice",
            MfaIdentity = "alice",
            Password = "table-Passw0rd!",
            Session = new MfaSession("gw-table"),
        };
        return await client.ExecuteAuthenticateAsync(request, CancellationToken.None);
    }
}
