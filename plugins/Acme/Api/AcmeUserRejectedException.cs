namespace MfaHost.Plugins.Acme.Api;

/// <summary>
/// The service refused the user rather than the request (<c>unknown_user</c>, <c>rate_limited</c>):
/// the plugin answers DENY <c>authentication_failed</c> with <see cref="Exception.Message"/>, which says why.
/// </summary>
internal sealed class AcmeUserRejectedException(string error, string message) : Exception(message)
{
    /// <summary>The API's error word.</summary>
    public string Error { get; } = error;
}
