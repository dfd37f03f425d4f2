using System.Security.Cryptography;
using System.Text;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MyPlugin;

/// <summary>
/// The plugin type <c>myplugin</c>: accepts the listed users when they type the instance's code.
/// Replace the check in <see cref="OtpAsync"/> with a call to your MFA service (an HTTP client from
/// <c>Context.HttpClientFactory</c>; throw <see cref="MfaServiceUnreachable"/>,
/// <see cref="MfaCommunicationError"/> or <see cref="MfaAuthenticationFailure"/> when it fails).
/// </summary>
[MfaPlugin("myplugin")]
[MfaPluginOptions("myplugin", "users", "code")]
public sealed partial class MyPluginClient : MfaClient
{
    private readonly HashSet<string> _users;
    private readonly byte[] _code;

    /// <summary>Reads and checks <c>[myplugin]</c>; a wrong option stops the host with file, line and option named.</summary>
    public MyPluginClient(MfaPluginContext context)
        : base(context, "MyPlugin")
    {
        var section = context.Configuration.Section("myplugin");
        _users = new HashSet<string>(section.GetList("users"), StringComparer.Ordinal);
        if (_users.Count == 0)
        {
            throw section.Error("users", "is required: list the users this instance accepts, comma-separated");
        }

        // "code = $": the secret comes from the host's credential store, never from the .ini itself.
        _code = Encoding.UTF8.GetBytes(section.GetRequiredSecret("code"));
    }

    /// <summary>This plugin takes one-time passwords only (no push).</summary>
    public override MfaCapabilities Capabilities => MfaCapabilities.Otp;

    /// <inheritdoc/>
    protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken)
    {
        if (!_users.Contains(request.MfaIdentity))
        {
            LogUnknownUser(Logger, request.MfaIdentity);
            return ValueTask.FromResult<MfaResult>(MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "Unknown user"));
        }

        // Never log the code: log who and what happened, not the secret.
        var valid = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(otp), _code);
        LogChecked(Logger, request.MfaIdentity, valid);
        return ValueTask.FromResult<MfaResult>(valid);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "MyPlugin: {Identity} is not in [myplugin] users")]
    private static partial void LogUnknownUser(ILogger logger, string identity);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "MyPlugin: code of {Identity} checked, valid: {Valid}")]
    private static partial void LogChecked(ILogger logger, string identity, bool valid);
}
