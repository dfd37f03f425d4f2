using MfaHost.Plugins.Acme.Tests.Support;
using MfaHost.PluginSdk;
using MfaHost.Testing.Http;

namespace MfaHost.Plugins.Acme.Tests;

/// <summary>The SDK's HTTP failure table through the acme plugin (a one-time password check), failing open and not.</summary>
public class AcmeHttpFailureTableTests : HttpFailureTable
{
    protected override bool CanFailOpen => true;

    protected override async Task<MfaVerdict> AuthenticateAsync(string host, int port, bool failOpen)
    {
        var ini = AcmeInstance.Ini(new Uri($"https://{host}:{port}/api/v1"), $"ca_file = {CaFile}\nrequest_timeout = 1\n" + (failOpen ? "ignore_connection_error = yes\n" : string.Empty));
        await using var client = AcmeInstance.Create(Temp, ini, TimeProvider.System, Log);
        return await client.ExecuteAuthenticateAsync(AcmeInstance.Request("alice", "123456"), CancellationToken.None);
    }
}
