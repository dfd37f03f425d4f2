using MfaHost.PluginSdk;
using Microsoft.Extensions.Configuration;
using Moq;

namespace MfaHost.Plugins.Jazz.Tests.Support;

/// <summary>Plugin configurations from INI text written to a real file (errors name it).</summary>
public static class PluginConfigurations
{
    public static PluginConfiguration FromIni(string path, string ini)
    {
        File.WriteAllText(path, ini);
        var configuration = new ConfigurationBuilder().AddIniFile(path).Build();
        return new PluginConfiguration(configuration, path, Mock.Of<ICredentialStore>());
    }

    public static PluginConfiguration Empty() =>
        new(new ConfigurationBuilder().Build(), "/nonexistent/jazz.ini", Mock.Of<ICredentialStore>());

    public static MfaPluginContext Context(PluginConfiguration configuration, MfaHost.Testing.CapturingLogger logger) =>
        new()
        {
            InstanceName = "jazz",
            Configuration = configuration,
            Logger = logger,
            Credentials = Mock.Of<ICredentialStore>(),
            HttpClientFactory = new PluginHttpClientFactory(configuration),
            State = Mock.Of<IStateStore>(),
        };
}
