namespace MfaHost.Plugins.Jazz.Client;

/// <summary>
/// Where a <see cref="JazzClient"/> connects and as whom. A class rather than a record so that no
/// generated <c>ToString</c> ever prints the password.
/// </summary>
public sealed class JazzClientOptions
{
    /// <summary>The application's context root, for example <c>https://elm.example.com:9443/ccm</c>.</summary>
    public required Uri Url { get; init; }

    /// <summary>
    /// The context root to authenticate against (form login posts to <c>&lt;AuthUrl&gt;/j_security_check</c>);
    /// for DNG/ERM the JTS one. Null means <see cref="Url"/>.
    /// </summary>
    public Uri? AuthUrl { get; init; }

    /// <summary>The Jazz user id.</summary>
    public required string Username { get; init; }

    /// <summary>The user's password. A secret: never logged, never in a message.</summary>
    public required string Password { get; init; }

    /// <summary>Allow <c>http://</c> URLs. Off by default: every method this client speaks sends the password.</summary>
    public bool AllowInsecure { get; init; }

    /// <summary>A PEM bundle to trust instead of the system store (used by <see cref="JazzClient.Create"/>).</summary>
    public string? CaFile { get; init; }

    /// <summary>The time one HTTP request may take (used by <see cref="JazzClient.Create"/>).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How many redirects one request may follow before the client gives up.</summary>
    public int MaxRedirects { get; init; } = 10;
}
