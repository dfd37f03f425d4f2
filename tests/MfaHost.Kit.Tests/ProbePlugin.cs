using MfaHost.PluginSdk;

namespace MfaHost.Kit.Tests;

/// <summary>
/// A plugin for the test kit's own tests: ACCEPTs the one-time password that <c>[probe] code = $</c>
/// names, records what it was called with, and puts the plugin's clock and a state entry into the ACCEPT.
/// </summary>
[MfaPlugin("probe")]
[MfaPluginOptions("probe", "code")]
public sealed class ProbePlugin : MfaClient
{
    private readonly string _code;

    public ProbePlugin(MfaPluginContext context)
        : base(context, "Probe")
    {
        _code = context.Configuration.Section("probe").GetRequiredSecret("code");
    }

    public List<MfaRequest> Calls { get; } = [];

    public override MfaCapabilities Capabilities => MfaCapabilities.Otp;

    protected override async ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken)
    {
        Calls.Add(request);
        if (otp != _code)
        {
            return false;
        }

        var logins = await Context.State.IncrementAsync($"logins.{request.MfaIdentity}", Context.TimeProvider.GetUtcNow().AddDays(1), cancellationToken);
        return MfaVerdict.Accept() with
        {
            Metadata = new Dictionary<string, string>
            {
                ["now"] = Context.TimeProvider.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["logins"] = logins.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
    }
}
