using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>
/// One instance's abuse limits, enforced by the host before its plugin is called: <c>[lockout]</c>,
/// <c>[push_limit]</c> and <c>[push] number_matching</c>. The lock-out and the push limit are on by default.
/// </summary>
internal sealed record LimitSettings
{
    /// <summary>The defaults: lock-out 5 failures in 300 s for 300 s, 3 pushes per 300 s, no number matching.</summary>
    public static LimitSettings Default { get; } = new();

    /// <summary><c>[lockout] failures</c>: DENY <c>authentication_failed</c> (or <c>replayed</c>) answers per identity that lock it out; 0 = off.</summary>
    public int LockoutFailures { get; init; } = 5;

    /// <summary><c>[lockout] window</c>: the failures count within this time from the first one.</summary>
    public TimeSpan LockoutWindow { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary><c>[lockout] duration</c>: how long a lock-out lasts.</summary>
    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary><c>[push_limit] max</c>: push requests per identity within <see cref="PushWindow"/>; 0 = no limit.</summary>
    public int PushMax { get; init; } = 3;

    /// <summary><c>[push_limit] window</c>, from the first push it counts.</summary>
    public TimeSpan PushWindow { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary><c>[push] number_matching</c>: show the user a number before a push and pass it to the plugin.</summary>
    public bool NumberMatching { get; init; }

    public bool LockoutEnabled => LockoutFailures > 0;

    public bool PushLimitEnabled => PushMax > 0;

    /// <summary>Reads the three sections of one instance file.</summary>
    /// <exception cref="MfaConfigurationException">A value is wrong; the message names file, line, section, option and value.</exception>
    public static LimitSettings Read(PluginConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var lockout = configuration.Section("lockout");
        var pushLimit = configuration.Section("push_limit");
        var day = TimeSpan.FromDays(1);
        return new LimitSettings
        {
            LockoutFailures = lockout.GetInt("failures", Default.LockoutFailures, 0, 1000),
            LockoutWindow = lockout.GetSeconds("window", Default.LockoutWindow, TimeSpan.FromSeconds(1), day),
            LockoutDuration = lockout.GetSeconds("duration", Default.LockoutDuration, TimeSpan.FromSeconds(1), day),
            PushMax = pushLimit.GetInt("max", Default.PushMax, 0, 1000),
            PushWindow = pushLimit.GetSeconds("window", Default.PushWindow, TimeSpan.FromSeconds(1), day),
            NumberMatching = configuration.Section("push").GetBool("number_matching", false),
        };
    }
}
