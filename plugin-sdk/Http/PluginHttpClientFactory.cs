using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MfaHost.PluginSdk;

/// <summary>
/// The SDK's <see cref="IPluginHttpClientFactory"/>, configured from an instance's INI file. Every client
/// it makes sends through one bounded connection pool per service endpoint (scheme, host and port):
/// at most <c>[http] max_connections</c> connections (default 32), kept alive between requests, HTTP/2
/// where the service offers it; a request that finds every connection busy waits in the pool's queue,
/// and that wait counts inside the client's <see cref="PluginHttpOptions.Timeout"/>.
/// </summary>
public sealed class PluginHttpClientFactory : IPluginHttpClientFactory, IDisposable
{
    /// <summary>The default of <c>[http] max_connections</c>: connections per service endpoint.</summary>
    internal const int DefaultMaxConnections = 32;

    private readonly ConcurrentDictionary<PoolKey, Lazy<SocketsHttpHandler>> _pools = new();
    private readonly int _maxConnections;
    private readonly bool _offerHttp2;
    private readonly TimeSpan _idleTimeout;
    private readonly string? _defaultCaFile;
    private readonly X509Certificate2? _clientCertificate;
    private readonly IWebProxy? _proxy;
    private bool _disposed;

    /// <summary>Reads <c>[http]</c>, <c>[tls]</c> and <c>[https_proxy]</c> from <paramref name="configuration"/>.</summary>
    /// <param name="configuration">The instance's configuration.</param>
    /// <exception cref="MfaConfigurationException">A file named there is missing or unreadable.</exception>
    public PluginHttpClientFactory(PluginConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var http = configuration.Section("http");
        _maxConnections = http.GetInt("max_connections", DefaultMaxConnections, 1, 1024);
        _offerHttp2 = http.GetBool("http2", true);
        _idleTimeout = http.GetSeconds("idle_timeout", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
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
    /// <remarks>
    /// The handler sends through the instance's shared pool; disposing it closes no connection. Give it
    /// a timeout of its own (as <see cref="HttpClient.Timeout"/> does): a request may wait for a free connection.
    /// </remarks>
    public HttpMessageHandler CreateHandler(PluginHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (options.Cookies is not null && options.AllowAutoRedirect)
        {
            // Cookies set on a redirect hop must land in this client's container: only a handler of its own sees them.
            var own = NewPool(options);
            own.UseCookies = true;
            own.CookieContainer = options.Cookies;
            return own;
        }

        var key = new PoolKey(options.CaFile, options.AllowAutoRedirect);
        var pool = _pools.GetOrAdd(key, k => new Lazy<SocketsHttpHandler>(() => NewPool(options))).Value;
        return new PooledClientHandler(pool, options.Cookies, _offerHttp2);
    }

    /// <inheritdoc/>
    public HttpClient CreateClient(PluginHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HttpClient(CreateHandler(options), disposeHandler: true) { Timeout = options.Timeout };
    }

    /// <summary>Closes the pooled connections. The host calls this when the instance is disposed; clients made before fail after it.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var pool in _pools.Values)
        {
            if (pool.IsValueCreated)
            {
                pool.Value.Dispose();
            }
        }

        _pools.Clear();
    }

    private SocketsHttpHandler NewPool(PluginHttpOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = options.AllowAutoRedirect,
            UseCookies = false,
            // The pool is shared by clients with different timeouts: each client's own timeout (which
            // also covers the wait for a free connection) is what bounds a request; this only caps a connect.
            ConnectTimeout = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = _maxConnections,
            PooledConnectionIdleTimeout = _idleTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // One HTTP/2 connection per endpoint carries many requests at once; further requests queue
            // for a stream rather than opening connections.
            EnableMultipleHttp2Connections = false,
            SslOptions = CreateSslOptions(string.Empty, options.CaFile),
        };
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

    // Clients that differ only in timeout or cookies share a pool; what the handler itself must differ in makes another.
    private readonly record struct PoolKey(string? CaFile, bool AllowAutoRedirect);
}
