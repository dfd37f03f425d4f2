using MfaHost.PluginSdk;

namespace TestPlugins.Noop;

/// <summary>Accepts every request at once: measures the host, not a plugin.</summary>
[MfaPlugin("noop")]
public sealed class NoopClient(MfaPluginContext context) : MfaClient(context, "Noop")
{
    protected override ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken) => ValueTask.FromResult<MfaResult>(true);

    protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken) => ValueTask.FromResult<MfaResult>(true);
}
