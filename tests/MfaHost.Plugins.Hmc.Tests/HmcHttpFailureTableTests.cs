using MfaHost.PluginSdk;
using MfaHost.Testing.Http;
using Microsoft.Extensions.Configuration;
using Moq;

namespace MfaHost.Plugins.Hmc.Tests;

/// <summary>The SDK's HTTP failure table through the hmc plugin (a logon with password and code).</summary>
public class HmcHttpFailureTableTests : HttpFailureTable
{
    protected override async Task<MfaVerdict> AuthenticateAsync(string host, int port, bool failOpen)
    {
        var file = Temp.Write("hmc.ini", $"[plugin]\ntype = hmc\n\n[hmc]\nhosts = {host}:{port}\nca_file = {CaFile}\nrequest_timeout = 1\n");
        var credentials = Mock.Of<ICredentialStore>();
        var configuration = new PluginConfiguration(new ConfigurationBuilder().AddIniFile(file).Build(), file, credentials);
        await using var client = new HmcClient(new MfaPluginContext
        {
            InstanceName = "hmc",
            Configuration = configuration,
            Logger = Log,
            Credentials = credentials,
            HttpClientFactory = new PluginHttpClientFactory(configuration),
            State = Mock.Of<IStateStore>(),
        });
        var request = new MfaRequest
        {
            Username = "sysprog",
            MfaIdentity = "sysprog",
            Password = "table-Passw0rd!",
            MfaPassword = "123456",
            Session = new MfaSession("gw-table"),
        };
        return await client.ExecuteAuthenticateAsync(request, CancellationToken.None);
    }
}
