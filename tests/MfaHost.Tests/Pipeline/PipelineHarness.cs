using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.Resilience;
using MfaHost.State;
using MfaHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace MfaHost.Tests.Pipeline;

/// <summary>
/// An <see cref="AuthenticationPipeline"/> over one scripted instance named <c>test</c> (configured by the
/// given INI text), a failed instance <c>broken</c>, and a fake clock.
/// </summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly LoggerFactory _loggerFactory;

    /// <param name="steps">The steps in order; by default the pipeline's own (<see cref="AuthenticationSteps.PipelineOnly"/>).</param>
    /// <param name="services">Registers what extra steps need.</param>
    public PipelineHarness(string ini = "", Func<HostSettings, HostSettings>? host = null, AuthenticationStepOrder? steps = null, Action<IServiceCollection>? services = null, IEnumerable<ISessionEndedListener>? sessionEndedListeners = null)
    {
        var file = _temp.Write("test.ini", ini);
        var configuration = new PluginConfiguration(IniFile.Load(file), file, Mock.Of<ICredentialStore>());
        Client = new ScriptedClient(new MfaPluginContext
        {
            InstanceName = "test",
            Configuration = configuration,
            Logger = NullLogger.Instance,
            TimeProvider = Time,
            Credentials = Mock.Of<ICredentialStore>(),
            HttpClientFactory = Mock.Of<IPluginHttpClientFactory>(),
            State = new InMemoryStateStore(Time),
        });
        var instances = new List<PluginInstance>
        {
            new() { Name = "test", Type = "scripted", ConfigFile = file, Configuration = configuration, Client = Client },
            new() { Name = "broken", Type = "broken", ConfigFile = file, Error = "the constructor threw" },
        };
        Catalog = new PluginCatalog(instances, []);
        SettingsErrors = [];
        Settings = PipelineSettingsCatalog.Read(Catalog, SettingsErrors);
        HostSettings = new HostSettings
        {
            ConfigFile = _temp.Combine("mfahost.ini"),
            ConfigDirectory = _temp.Path,
            SocketPath = _temp.Combine("s.sock"),
            PluginsDirectory = _temp.Path,
            PluginConfigDirectory = _temp.Path,
            DataDirectory = _temp.Path,
        };
        HostSettings = host?.Invoke(HostSettings) ?? HostSettings;
        _loggerFactory = new LoggerFactory([Logger]);
        Circuits = new InstanceCircuits(Time, _loggerFactory);
        Pipeline = PipelineServiceCollectionExtensions.CreatePipeline(
            new ActiveCatalog(new PluginCatalog(instances, [], Settings)),
            new PluginCallGuard(Circuits, HostSettings, Time, new Logger<PluginCallGuard>(_loggerFactory)),
            HostSettings,
            Time,
            _loggerFactory,
            steps ?? AuthenticationSteps.PipelineOnly,
            collection =>
            {
                foreach (var listener in sessionEndedListeners ?? [])
                {
                    collection.AddSingleton(listener);
                }

                services?.Invoke(collection);
            });
    }

    public InstanceCircuits Circuits { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public ScriptedClient Client { get; }

    public PluginCatalog Catalog { get; }

    public List<MfaConfigurationException> SettingsErrors { get; }

    public PipelineSettingsCatalog Settings { get; }

    public HostSettings HostSettings { get; }

    public CapturingLogger Logger { get; } = new();

    public AuthenticationPipeline Pipeline { get; }

    public static AuthenticationRequest Request(
        string username = "alice",
        string session = "s1",
        string? mfaPassword = null,
        string? answer = null,
        string? protocol = null,
        string? clientIp = "10.0.0.1",
        string? mfaIdentity = null,
        string? password = null,
        string plugin = "test",
        IReadOnlyDictionary<string, string>? attributes = null) =>
        new()
        {
            Plugin = plugin,
            SessionId = session,
            Username = username,
            MfaPassword = mfaPassword,
            Answer = answer,
            Protocol = protocol,
            ClientIp = clientIp,
            MfaIdentity = mfaIdentity,
            Password = password,
            Attributes = attributes ?? new Dictionary<string, string>(),
        };

    /// <summary><paramref name="order"/> with <paramref name="step"/> right after <paramref name="after"/>.</summary>
    public static AuthenticationStepOrder Insert(AuthenticationStepOrder order, Type step, Type after)
    {
        var steps = order.Steps.ToList();
        steps.Insert(steps.IndexOf(after) + 1, step);
        return new AuthenticationStepOrder(steps);
    }

    public Task<AuthenticationOutcome> AuthenticateAsync(AuthenticationRequest request) =>
        Pipeline.AuthenticateAsync(request, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        await Catalog.DisposeAsync();
        _loggerFactory.Dispose();
        _temp.Dispose();
    }
}
