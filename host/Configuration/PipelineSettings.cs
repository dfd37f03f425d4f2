using System.Collections.Frozen;
using MfaHost.PluginSdk;
using MfaHost.Resilience;

namespace MfaHost.Configuration;

/// <summary>
/// One plugin instance's pipeline configuration, read and validated once from its INI file.
/// Immutable: the request path reads it without a lock.
/// </summary>
internal sealed record PipelineSettings
{
    public const string DefaultPrompt = "Press Enter for push notification or type one-time password:";

    private static readonly FrozenSet<string> DefaultInteractiveProtocols =
        new[] { "rdp", "ssh", "telnet" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>No whitelist, no cache, no mapping, default prompt, no questions, no connection limit.</summary>
    public static PipelineSettings Default { get; } = new();

    public WhitelistSettings Whitelist { get; init; } = WhitelistSettings.None;

    public AuthenticationCacheSettings Cache { get; init; } = AuthenticationCacheSettings.Off;

    public UserMapping UserMapping { get; init; } = UserMapping.None;

    /// <summary>Protocols (case-insensitive) for which the host asks for the one-time password itself.</summary>
    public FrozenSet<string> InteractiveProtocols { get; init; } = DefaultInteractiveProtocols;

    public string Prompt { get; init; } = DefaultPrompt;

    public bool DisableEcho { get; init; }

    /// <summary>The <c>[question_N]</c> sections, in order.</summary>
    public IReadOnlyList<QuestionSettings> Questions { get; init; } = [];

    /// <summary>Concurrent sessions per user and client IP; 0 = unlimited.</summary>
    public int ConnectionLimit { get; init; }

    /// <summary><c>[auth] allow_one_time_tokens</c>: an administrator's one-time token is accepted as <c>mfa_password</c>.</summary>
    public bool AllowOneTimeTokens { get; init; }

    /// <summary><c>[lockout]</c>, <c>[push_limit]</c> and <c>[push] number_matching</c> (host-enforced abuse limits).</summary>
    public MfaHost.Configuration.LimitSettings Limits { get; init; } = MfaHost.Configuration.LimitSettings.Default;

    /// <summary><c>[circuit]</c>: when the host stops calling an unreachable service for a while.</summary>
    public CircuitSettings Circuit { get; init; } = CircuitSettings.Default;

    /// <summary>Reads the pipeline sections of one instance file.</summary>
    /// <exception cref="MfaConfigurationException">A value is wrong; the message names file, section, option and value.</exception>
    public static PipelineSettings Read(PluginConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var auth = configuration.Section("auth");
        return new PipelineSettings
        {
            Whitelist = WhitelistSettings.Read(configuration.Section("whitelist")),
            Cache = AuthenticationCacheSettings.Read(configuration.Section("authentication_cache")),
            UserMapping = UserMapping.Read(configuration.Section("usermapping"), configuration.Section("username_transform")),
            InteractiveProtocols = ReadProtocols(auth),
            Prompt = auth.GetString("prompt", DefaultPrompt)!,
            DisableEcho = auth.GetBool("disable_echo", false),
            AllowOneTimeTokens = auth.GetBool("allow_one_time_tokens", false),
            Questions = QuestionSettings.ReadAll(configuration),
            ConnectionLimit = configuration.Section("connection_limit").GetInt("limit", 0, 0),
            Limits = MfaHost.Configuration.LimitSettings.Read(configuration),
            Circuit = CircuitSettings.Read(configuration.Section("circuit")),
        };
    }

    public bool IsInteractive(string? protocol) => protocol is { Length: > 0 } && InteractiveProtocols.Contains(protocol);

    private static FrozenSet<string> ReadProtocols(IniSection auth)
    {
        if (auth.GetString("interactive_protocols") is null)
        {
            return DefaultInteractiveProtocols;
        }

        var protocols = auth.GetList("interactive_protocols");
        return protocols is ["none"] ? FrozenSet<string>.Empty : protocols.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}
