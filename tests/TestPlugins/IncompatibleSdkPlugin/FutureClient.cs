using MfaHost.PluginSdk;

namespace TestPlugins.IncompatibleSdk;

[MfaPlugin("future")]
public sealed class FutureClient : MfaClient
{
}
