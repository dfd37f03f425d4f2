using MfaHost.PluginSdk;

namespace TestPlugins.NoClient;

/// <summary>References the SDK but declares no MfaClient.</summary>
public static class NotAPlugin
{
    public static MfaVerdict Verdict => MfaVerdict.Accept();
}
