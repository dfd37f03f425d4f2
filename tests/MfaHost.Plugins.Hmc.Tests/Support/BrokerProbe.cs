using MfaHost.Plugins.Hmc.Broker;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.Configuration;
using Moq;

namespace MfaHost.Plugins.Hmc.Tests.Support;

/// <summary>The plugin's broker check pointed at HMC1's broker, for logins a test chooses.</summary>
public sealed class BrokerProbe(HmcTestEnvironment env)
{
    public async Task<string?> CheckAsync(string login, string passcode)
    {
        using var log = new CapturingLogger();
        var configuration = new PluginConfiguration(new ConfigurationBuilder().Build(), env.Temp.Combine("none.ini"), Mock.Of<ICredentialStore>());
        var check = new NotificationBrokerCheck(new PluginHttpClientFactory(configuration), env.CaFile, TimeSpan.FromSeconds(5), TimeProvider.System, log);
        return await check.CheckAsync("localhost", env.Hmc1.Broker.Port, "someone", login, passcode, CancellationToken.None);
    }
}
