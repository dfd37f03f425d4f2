using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>
/// <c>[authentication_cache]</c>: a real MFA of a user from a client IP may be reused <see cref="ReuseLimit"/>
/// times, each within <see cref="SoftTimeout"/> of the last use and <see cref="HardTimeout"/> of the real MFA.
/// </summary>
internal sealed record AuthenticationCacheSettings(int ReuseLimit, TimeSpan SoftTimeout, TimeSpan HardTimeout)
{
    public static AuthenticationCacheSettings Off { get; } = new(0, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(90));

    public bool Enabled => ReuseLimit > 0;

    public static AuthenticationCacheSettings Read(IniSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return new AuthenticationCacheSettings(
            section.GetInt("reuse_limit", 0, 0),
            section.GetSeconds("soft_timeout", TimeSpan.FromSeconds(15)),
            section.GetSeconds("hard_timeout", TimeSpan.FromSeconds(90)));
    }
}
