using MfaHost.PluginSdk;

namespace MfaHost.Pipeline;

/// <summary>
/// A check that runs after the one-time password is known and just before the plugin, in registration
/// order (register with <c>services.AddSingleton&lt;IPrePluginStep, ...&gt;()</c>). Returning a verdict
/// decides the login without calling the plugin (an ACCEPT still goes through the steps after ACCEPT);
/// returning null hands on to the next step and finally the plugin.
/// Example: one-time tokens accepted as <c>mfa_password</c> (<c>[auth] allow_one_time_tokens</c>).
/// </summary>
internal interface IPrePluginStep
{
    ValueTask<MfaVerdict?> RunAsync(LoginContext login, CancellationToken cancellationToken);
}
