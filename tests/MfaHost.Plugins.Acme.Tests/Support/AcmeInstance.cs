using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Moq;

namespace MfaHost.Plugins.Acme.Tests.Support;

/// <summary>
/// Builds an <see cref="AcmeClient"/> the way the host does: an INI file on disk, the SDK's
/// <see cref="PluginHttpClientFactory"/> (so TLS is verified for real), a credential store for <c>$</c>.
/// </summary>
internal static class AcmeInstance
{
    public const string Secret = "acme-test-token-5f1c";

    /// <summary>An instance file for <paramref name="serverUrl"/> with the token read from the credential store.</summary>
    public static string Ini(Uri serverUrl, string extra = "") =>
        $"[plugin]\ntype = acme\n\n[acme]\nserver_url = {serverUrl}\ntoken = $\n{extra}";

    public static MfaPluginContext Context(TempDirectory temp, string ini, TimeProvider time, ILogger logger, string token = Secret)
    {
        var path = temp.Write($"plugins/acme-{Guid.NewGuid():N}.ini", ini);
        var secrets = new DictionaryCredentialStore(new Dictionary<string, string> { ["acme.token"] = token });
        var configuration = new PluginConfiguration(new ConfigurationBuilder().AddIniFile(path).Build(), path, secrets);
        return new MfaPluginContext
        {
            InstanceName = "acme",
            Configuration = configuration,
            Logger = logger,
            TimeProvider = time,
            Credentials = secrets,
            HttpClientFactory = new PluginHttpClientFactory(configuration),
            State = Mock.Of<IStateStore>(),
        };
    }

    public static AcmeClient Create(TempDirectory temp, string ini, TimeProvider time, ILogger logger, string token = Secret) =>
        new(Context(temp, ini, time, logger, token));

    public static MfaRequest Request(string user, string? otp = null, string session = "s1") => new()
    {
        Username = user,
        MfaIdentity = user,
        MfaPassword = otp,
        Session = new MfaSession(session),
        ClientIp = "10.0.0.7",
        Protocol = "ssh",
        Target = "db1",
    };
}
