using MfaHost.Plugins;
using MfaHost.Configuration;

namespace MfaHost.Pipeline;

/// <summary>What the steps know about one login; a step hands a changed copy (<c>with</c>) to the next.</summary>
internal sealed record LoginContext
{
    private readonly IReadOnlyDictionary<string, string>? _attributes;

    public required PluginInstance Instance { get; init; }

    public required PipelineSettings Settings { get; init; }

    /// <summary>The request that started the login (for a NEEDINFO round trip: the first one).</summary>
    public required AuthenticationRequest Request { get; init; }

    /// <summary>The <c>session_id</c>.</summary>
    public string SessionId => Request.SessionId;

    public string Username => Request.Username;

    /// <summary>The identity at the MFA service: the given one, else the username until the mapping step maps it.</summary>
    public required string MfaIdentity { get; init; }

    /// <summary>The one-time password about to go to the plugin; null means push. A secret: never log it.</summary>
    public string? Otp { get; init; }

    /// <summary>The number the user was shown for number matching (<c>[push] number_matching</c>), handed to the plugin with a push.</summary>
    public int? PushNumber { get; init; }

    /// <summary>The attributes handed to the plugin (<see cref="PluginSdk.MfaRequest.Attributes"/>): the request's, plus answers to the plugin's questions.</summary>
    public IReadOnlyDictionary<string, string> Attributes
    {
        get => _attributes ?? Request.Attributes;
        init => _attributes = value;
    }

    /// <summary>The conversation this request answers; null for a new login.</summary>
    public Conversation? Answering { get; init; }

    /// <summary>The answer to <see cref="Answering"/>; may be a secret.</summary>
    public string? Answer { get; init; }

    /// <summary>An outcome for this login (its identity attached).</summary>
    public AuthenticationOutcome Outcome(PluginSdk.MfaVerdict verdict) => new(verdict, MfaIdentity);
}
