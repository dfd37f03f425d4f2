using MfaHost.PluginSdk;

namespace TestPlugins.Throwing;

/// <summary>Its constructor fails, as a plugin with a bug might.</summary>
[MfaPlugin("throwing")]
public sealed class ThrowingClient : MfaClient
{
    public ThrowingClient(MfaPluginContext context)
        : base(context, "Throwing") =>
        throw new InvalidOperationException("the service address could not be computed");
}
