namespace MfaHost.PluginSdk;

/// <summary>
/// Where secrets written as <c>$</c> in an instance's INI file come from: environment variables,
/// a credentials file readable by the host only, systemd's <c>$CREDENTIALS_DIRECTORY</c>.
/// </summary>
public interface ICredentialStore
{
    /// <summary>Looks up the secret for (<paramref name="section"/>, <paramref name="optionName"/>).</summary>
    /// <param name="section">The INI section.</param>
    /// <param name="optionName">The option.</param>
    /// <param name="secret">The secret, when found.</param>
    bool TryGetSecret(string section, string optionName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? secret);

    /// <summary>Where the store looked, for an error message (names, never values).</summary>
    /// <param name="section">The INI section.</param>
    /// <param name="optionName">The option.</param>
    string Describe(string section, string optionName);
}
