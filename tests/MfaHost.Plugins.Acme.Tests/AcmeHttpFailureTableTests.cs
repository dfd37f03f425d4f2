using MfaHost.Plugins.Acme.Tests.Support;
using MfaHost.PluginSdk;
using MfaHost.Testing;
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
        // As the host calls it: the plugin reports the service unreachable, the host applies ignore_connection_error.
        return await HostPolicy.AuthenticateAsync(client, AcmeInstance.Request("alice", "123456"));
    }
}
