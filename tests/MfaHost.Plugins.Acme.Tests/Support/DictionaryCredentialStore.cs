using System.Diagnostics.CodeAnalysis;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Acme.Tests.Support;

/// <summary>A credential store holding given secrets under (section, option).</summary>
internal sealed class DictionaryCredentialStore(IReadOnlyDictionary<string, string> secrets) : ICredentialStore
{
    public bool TryGetSecret(string section, string optionName, [NotNullWhen(true)] out string? secret) =>
        secrets.TryGetValue($"{section}.{optionName}", out secret);

    public string Describe(string section, string optionName) => $"the test's secrets ({section}.{optionName})";
}
