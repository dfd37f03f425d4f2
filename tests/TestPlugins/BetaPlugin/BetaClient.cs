using MfaHost.PluginSdk;
using TestPlugins.GreetingLib;

namespace TestPlugins.Beta;

/// <summary>Accepts every OTP and reports the version of the library it loaded.</summary>
[MfaPlugin("beta")]
public sealed class BetaClient(MfaPluginContext context) : MfaClient(context, "Beta")
{
    protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken) =>
        ValueTask.FromResult<MfaResult>(MfaVerdict.Accept(message: "library " + Greeting.LibraryVersion));
}
