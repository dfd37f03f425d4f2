using System.Diagnostics.CodeAnalysis;

namespace MfaHost.PluginSdk.Testing;

/// <summary>An <see cref="ICredentialStore"/> over a dictionary keyed <c>section.option</c>.</summary>
/// <param name="secrets">The secrets; copied.</param>
public sealed class InMemoryCredentialStore(IEnumerable<KeyValuePair<string, string>> secrets) : ICredentialStore
{
    private readonly Dictionary<string, string> _secrets = new(secrets, StringComparer.Ordinal);

    /// <inheritdoc/>
    public bool TryGetSecret(string section, string optionName, [NotNullWhen(true)] out string? secret) =>
        _secrets.TryGetValue($"{section}.{optionName}", out secret);

    /// <inheritdoc/>
    public string Describe(string section, string optionName) => $"the test's secrets (key '{section}.{optionName}')";
}
