namespace MfaHost.Reload;

/// <summary>Where the configuration comes from: the host file and the <c>--socket</c> of <c>run</c>.</summary>
internal sealed record ConfigurationSource(string ConfigPath, string? SocketOverride);
