using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MfaHost.PluginSdk;

/// <summary>The SDK's <see cref="IPluginHttpClientFactory"/>, configured from an instance's INI file.</summary>
public sealed class PluginHttpClientFactory : IPluginHttpClientFactory
{
    private readonly string? _defaultCaFile;
    private readonly X509Certificate2? _clientCertificate;
    private readonly IWebProxy? _proxy;

    /// <summary>Reads <c>[tls]</c> and <c>[https_proxy]</c> from <paramref name="configuration"/>.</summary>
    /// <param name="configuration">The instance's configuration.</param>
    /// <exception cref="MfaConfigurationException">A file named there is missing or unreadable.</exception>
    public PluginHttpClientFactory(PluginConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var tls = configuration.Section("tls");
        _defaultCaFile = ResolvePath(configuration, tls.GetString("ca_file"));
        if (_defaultCaFile is not null)
        {
            LoadBundle(_defaultCaFile, tls, "ca_file");
        }

        var clientCert = ResolvePath(configuration, tls.GetString("client_cert"));
        var clientKey = ResolvePath(configuration, tls.GetString("client_key"));
        if (clientCert is not null)
        {
            try
            {
                _clientCertificate = X509Certificate2.CreateFromPemFile(clientCert, clientKey);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw tls.Error("client_cert", $"cannot load '{clientCert}' (key '{clientKey ?? "in the same file"}'): {e.Message}");
            }
        }
        else if (clientKey is not null)
        {
            throw tls.Error("client_key", "is set but client_cert is not");
        }

        var proxy = configuration.Section("https_proxy");
        var server = proxy.GetString("server");
        if (server is not null)
        {
            var port = proxy.GetInt("port", 3128, 1, 65535);
            var webProxy = new WebProxy(new Uri($"http://{server}:{port}"));
            var user = proxy.GetString("username");
            if (user is not null)
            {
                webProxy.Credentials = new NetworkCredential(user, proxy.GetSecret("password") ?? string.Empty);
            }

            _proxy = webProxy;
        }
    }

    /// <inheritdoc/>
    public HttpMessageHandler CreateHandler(PluginHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = options.AllowAutoRedirect,
            UseCookies = options.Cookies is not null,
            ConnectTimeout = options.Timeout == Timeout.InfiniteTimeSpan ? TimeSpan.FromSeconds(30) : options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = CreateSslOptions(string.Empty, options.CaFile),
        };
        if (options.Cookies is not null)
        {
            handler.CookieContainer = options.Cookies;
        }

        if (_proxy is not null)
        {
            handler.Proxy = _proxy;
            handler.UseProxy = true;
        }
        else
        {
            handler.UseProxy = false;
        }

        return handler;
    }

    /// <inheritdoc/>
    public HttpClient CreateClient(PluginHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HttpClient(CreateHandler(options), disposeHandler: true) { Timeout = options.Timeout };
    }

    /// <inheritdoc/>
    public SslClientAuthenticationOptions CreateSslOptions(string targetHost, string? caFile = null)
    {
        var bundle = caFile ?? _defaultCaFile;
        var ssl = new SslClientAuthenticationOptions { TargetHost = targetHost };
        if (_clientCertificate is not null)
        {
            ssl.ClientCertificates = [_clientCertificate];
        }

        if (bundle is not null)
        {
            var roots = LoadBundle(bundle, null, null);
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateAgainst(roots, certificate, errors);
        }

        return ssl;
    }

    // With a CA bundle the system store is not consulted: the chain must end in one of the bundle's
    // certificates, and the host name must still match.
    private static bool ValidateAgainst(X509Certificate2Collection roots, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) ||
            errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private static X509Certificate2Collection LoadBundle(string path, IniSection? section, string? option)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            if (section is not null)
            {
                throw section.Error(option, $"cannot read CA bundle '{path}': {e.Message}");
            }

            throw new InvalidOperationException($"cannot read CA bundle '{path}': {e.Message}", e);
        }

        if (collection.Count == 0)
        {
            if (section is not null)
            {
                throw section.Error(option, $"'{path}' holds no PEM certificate");
            }

            throw new InvalidOperationException($"'{path}' holds no PEM certificate");
        }

        return collection;
    }

    private static string? ResolvePath(PluginConfiguration configuration, string? path) =>
        path is null ? null : configuration.ResolvePath(path);
}
