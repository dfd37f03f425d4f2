using MfaHost.PluginSdk;
using MfaHost.Configuration;

namespace MfaHost.Pipeline;

/// <summary>
/// A NEEDINFO that waits for its <c>answer</c>, pinned to the instance and username that started it.
/// Holds secrets (the one-time password, the primary password) in memory only; never logged.
/// </summary>
internal abstract record Conversation
{
    public required string Instance { get; init; }

    public required string Username { get; init; }

    public required string MfaIdentity { get; init; }

    /// <summary>The request that started the login; its context (client, protocol, attributes) is reused.</summary>
    public required AuthenticationRequest Request { get; init; }

    /// <summary>The instance (and its settings) that asked: the answer goes back to it even after a reload replaced it.</summary>
    public Plugins.PluginInstance? Served { get; init; }

    public PipelineSettings? ServedSettings { get; init; }

    /// <summary>The instance that asked was disposed after a reload while this waited: the answer is refused.</summary>
    public bool Retired { get; init; }
}

/// <summary>The host asked for the one-time password (interactive protocol): an empty answer means push.</summary>
internal sealed record OtpConversation : Conversation;

/// <summary>The plugin answered NEEDINFO for <see cref="Key"/>; the answer goes back to the plugin.</summary>
internal sealed record PluginConversation : Conversation
{
    public required string Key { get; init; }

    /// <summary>The one-time password of the previous call (a secret); replaced when <see cref="Key"/> is <c>otp</c>.</summary>
    public string? Otp { get; init; }

    /// <summary>Answers to the plugin's earlier questions, handed on in <see cref="MfaRequest.Attributes"/>.</summary>
    public required IReadOnlyDictionary<string, string> Attributes { get; init; }
}

/// <summary>The login was accepted; the configured questions are being asked, one per round trip.</summary>
internal sealed record QuestionsConversation : Conversation
{
    public required MfaVerdict Accepted { get; init; }

    /// <summary>The index in <see cref="PipelineSettings.Questions"/> of the question asked last.</summary>
    public required int Asked { get; init; }

    public required IReadOnlyDictionary<string, string> Answers { get; init; }
}
