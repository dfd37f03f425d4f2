using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>An instance's <c>[circuit]</c> section: <c>failures</c> (default 5 consecutive unreachable answers, 0 = off) and <c>open_seconds</c> (default 30).</summary>
internal sealed record CircuitSettings(int Failures, TimeSpan OpenDuration)
{
    public static CircuitSettings Default { get; } = new(5, TimeSpan.FromSeconds(30));

    /// <exception cref="MfaConfigurationException">A bad value (file, section, option and value named).</exception>
    public static CircuitSettings Read(IniSection section) => new(
        section.GetInt("failures", Default.Failures, min: 0, max: 1_000_000),
        section.GetSeconds("open_seconds", Default.OpenDuration, min: TimeSpan.FromSeconds(0.001), max: TimeSpan.FromDays(1)));
}
