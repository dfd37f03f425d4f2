using System.Diagnostics.CodeAnalysis;
using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>A store with no secrets, for files where <c>$</c> has no meaning (the host file).</summary>
internal sealed class NoCredentials : ICredentialStore
{
    public static readonly NoCredentials Instance = new();

    public bool TryGetSecret(string section, string optionName, [NotNullWhen(true)] out string? secret)
    {
        secret = null;
        return false;
    }

    public string Describe(string section, string optionName) => "nowhere: this file takes no secrets";
}
