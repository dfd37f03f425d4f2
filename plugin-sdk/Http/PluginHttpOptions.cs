using System.Net;

namespace MfaHost.PluginSdk;

/// <summary>How a plugin wants one HTTP client built; the rest comes from <c>[tls]</c> and <c>[https_proxy]</c>.</summary>
public sealed record PluginHttpOptions
{
    /// <summary>
    /// A PEM bundle to trust instead of the system store (a plugin's own <c>ca_file</c> option);
    /// null uses <c>[tls] ca_file</c>, and without that the system store.
    /// </summary>
    public string? CaFile { get; init; }

    /// <summary>The time one request may take; <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether redirects are followed automatically (default yes).</summary>
    public bool AllowAutoRedirect { get; init; } = true;

    /// <summary>Cookies kept across requests; null keeps none.</summary>
    public CookieContainer? Cookies { get; init; }
}
