using MfaHost.PluginSdk;
using TestPlugins.GreetingLib;

namespace TestPlugins.Alpha;

/// <summary>Accepts every OTP and reports the version of the library it loaded.</summary>
[MfaPlugin("alpha")]
public sealed class AlphaClient(MfaPluginContext context) : MfaClient(context, "Alpha")
{
    protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken) =>
        ValueTask.FromResult<MfaResult>(MfaVerdict.Accept(message: "library " + Greeting.LibraryVersion));
}
