using System.Net.Security;

namespace MfaHost.PluginSdk;

/// <summary>
/// Builds HTTP clients (and TLS options for other protocols) that honour the instance's
/// <c>[tls]</c> (<c>ca_file</c>, <c>client_cert</c>, <c>client_key</c>) and <c>[https_proxy]</c>
/// sections. Certificates are always verified: against the system store, or against the
/// configured CA bundle instead.
/// </summary>
public interface IPluginHttpClientFactory
{
    /// <summary>A message handler for <paramref name="options"/>; for libraries that take a handler.</summary>
    /// <param name="options">What this client needs.</param>
    HttpMessageHandler CreateHandler(PluginHttpOptions options);

    /// <summary>An <see cref="HttpClient"/> for <paramref name="options"/>.</summary>
    /// <param name="options">What this client needs.</param>
    HttpClient CreateClient(PluginHttpOptions options);

    /// <summary>TLS client options for a raw connection to <paramref name="targetHost"/> (for example a message broker).</summary>
    /// <param name="targetHost">The host name the certificate must match.</param>
    /// <param name="caFile">A PEM bundle to trust instead of the system store; null as in <see cref="PluginHttpOptions.CaFile"/>.</param>
    SslClientAuthenticationOptions CreateSslOptions(string targetHost, string? caFile = null);
}
