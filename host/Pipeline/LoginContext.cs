using MfaHost.Plugins;
using MfaHost.Configuration;

namespace MfaHost.Pipeline;

/// <summary>What the steps around the plugin know about one login once the user is identified.</summary>
internal sealed record LoginContext
{
    public required PluginInstance Instance { get; init; }

    public required PipelineSettings Settings { get; init; }

    /// <summary>The request that started the login (for a NEEDINFO round trip: the first one).</summary>
    public required AuthenticationRequest Request { get; init; }

    /// <summary>The <c>session_id</c>.</summary>
    public string SessionId => Request.SessionId;

    public string Username => Request.Username;

    /// <summary>The identity at the MFA service after mapping.</summary>
    public required string MfaIdentity { get; init; }

    /// <summary>The one-time password about to go to the plugin; null means push. A secret: never log it.</summary>
    public string? Otp { get; init; }

    /// <summary>The number the user was shown for number matching (<c>[push] number_matching</c>), handed to the plugin with a push.</summary>
    public int? PushNumber { get; init; }
}
