using System.Reflection;

namespace MfaHost.Vocabulary;

/// <summary>The host's version as <c>health</c>, the status page and the start-up log line show it.</summary>
internal static class HostVersion
{
    public static string Value { get; } =
        typeof(HostVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
