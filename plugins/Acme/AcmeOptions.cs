using System.Net;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Acme;

/// <summary>
/// The validated <c>[acme]</c> section. Read once, in the plugin's constructor, so that a bad
/// value stops the host at start-up with the file, section, option and value named.
/// </summary>
internal sealed record AcmeOptions
{
    public const string Section = "acme";

    /// <summary>The API's base URL, always ending in <c>/</c> so that relative paths keep its path.</summary>
    public required Uri ServerUrl { get; init; }

    /// <summary>The bearer token. A secret: never logged, never in a message.</summary>
    public required string Token { get; init; }

    public bool IgnoreConnectionError { get; init; }

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan PushTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most transactions one status query asks about: 1 (the default) polls each push with
    /// <c>GET /push/{txid}</c>, as the API v1 defines; above 1 uses <c>POST /push/status</c>, which a
    /// service must offer (see docs/plugin-guide.md).
    /// </summary>
    public int StatusBatch { get; init; } = 1;

    /// <summary>A PEM bundle to trust instead of the system store, resolved against the INI file's folder.</summary>
    public string? CaFile { get; init; }

    public static AcmeOptions Read(PluginConfiguration configuration)
    {
        var acme = configuration.Section(Section);
        var caFile = acme.GetString("ca_file") is { } path ? configuration.ResolvePath(path) : null;
        if (caFile is not null && !File.Exists(caFile))
        {
            throw acme.Error("ca_file", $"'{caFile}' does not exist");
        }

        return new AcmeOptions
        {
            ServerUrl = ParseServerUrl(acme),
            Token = ParseToken(acme),
            IgnoreConnectionError = acme.GetBool("ignore_connection_error", false),
            RequestTimeout = acme.GetSeconds("request_timeout", TimeSpan.FromSeconds(10), min: TimeSpan.FromSeconds(0.1), max: TimeSpan.FromMinutes(5)),
            PushTimeout = acme.GetSeconds("push_timeout", TimeSpan.FromSeconds(60), min: TimeSpan.FromSeconds(0.1), max: TimeSpan.FromHours(1)),
            PollInterval = acme.GetSeconds("poll_interval", TimeSpan.FromSeconds(1), min: TimeSpan.FromSeconds(0.01), max: TimeSpan.FromMinutes(1)),
            StatusBatch = acme.GetInt("status_batch", 1, min: 1, max: 1000),
            CaFile = caFile,
        };
    }

    // https only: the token and the users' codes cross this connection. Plain http is allowed for a
    // loopback address alone (a local relay, a test server), where nothing crosses the network.
    private static Uri ParseServerUrl(IniSection acme)
    {
        var raw = acme.GetRequiredString("server_url");
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || string.IsNullOrEmpty(url.Host))
        {
            throw acme.Error("server_url", $"'{raw}' is not an http(s) URL (example: https://acme.example/api/v1)");
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            // Do not echo the value: user info is a credential.
            throw acme.Error("server_url", "must not contain a user name or password; the API token goes in 'token'");
        }

        if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            throw acme.Error("server_url", $"'{raw}' must not have a query or fragment");
        }

        if (url.Scheme == "http" && !IsLoopback(url))
        {
            throw acme.Error("server_url", $"'{raw}' uses http, which is allowed for a loopback address only (localhost, 127.0.0.1, ::1); use https");
        }

        return url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.IdnHost, out var address) && IPAddress.IsLoopback(address));

    private static string ParseToken(IniSection acme)
    {
        var token = acme.GetRequiredSecret("token");
        if (token.Any(char.IsControl) || token.Contains(' ', StringComparison.Ordinal))
        {
            throw acme.Error("token", "contains spaces or control characters (the value is not shown: it is a secret)");
        }

        return token;
    }
}
