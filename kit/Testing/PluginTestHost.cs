using System.Reflection;
using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.Resilience;
using MfaHost.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.PluginSdk.Testing;

/// <summary>
/// One plugin instance, built from INI text as the host builds it, behind the host's own authentication
/// pipeline: <c>[whitelist]</c>, identity mapping, the one-time password question on interactive
/// protocols, the plugin, and the <c>[question_N]</c> questions run exactly as in <c>mfahost</c>.
/// State and <c>$</c> secrets are in memory; the clock is a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class PluginTestHost : IAsyncDisposable
{
    private readonly AuthenticationPipeline _pipeline;
    private readonly PluginCatalog _catalog;
    private readonly ILoggerFactory _loggerFactory;
    private readonly CapturedLog _log;
    private readonly string? _ownedDirectory;

    private PluginTestHost(
        string instanceName,
        string configFile,
        MfaClient plugin,
        FakeTimeProvider time,
        IStateStore state,
        InMemoryCredentialStore credentials,
        AuthenticationPipeline pipeline,
        PluginCatalog catalog,
        ILoggerFactory loggerFactory,
        CapturedLog log,
        string? ownedDirectory)
    {
        InstanceName = instanceName;
        ConfigFile = configFile;
        Plugin = plugin;
        Time = time;
        State = state;
        Credentials = credentials;
        _pipeline = pipeline;
        _catalog = catalog;
        _loggerFactory = loggerFactory;
        _log = log;
        _ownedDirectory = ownedDirectory;
    }

    /// <summary>The instance name requests are addressed to.</summary>
    public string InstanceName { get; }

    /// <summary>The file the INI text was written to (configuration errors name it).</summary>
    public string ConfigFile { get; }

    /// <summary>The plugin instance.</summary>
    public MfaClient Plugin { get; }

    /// <summary>The clock the plugin and the pipeline see; advance it by hand.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The instance's state store (in memory), as the plugin sees it.</summary>
    public IStateStore State { get; }

    /// <summary>Where <c>$</c> options were looked up.</summary>
    public InMemoryCredentialStore Credentials { get; }

    /// <summary>Every log line so far (the plugin's and the pipeline's), formatted.</summary>
    public IReadOnlyList<string> LogLines => _log.Lines;

    /// <summary><see cref="LogLines"/> as one text, for <c>Does.Not.Contain(secret)</c>.</summary>
    public string LogText => string.Join("\n", _log.Lines);

    /// <summary>Builds an instance of <typeparamref name="TPlugin"/> from <paramref name="ini"/>, the text of its instance file.</summary>
    /// <typeparam name="TPlugin">The plugin class; it carries <see cref="MfaPluginAttribute"/>.</typeparam>
    /// <param name="ini">The instance file's text.</param>
    /// <param name="options">Secrets, the clock's start, the instance name; null for the defaults.</param>
    /// <exception cref="MfaConfigurationException">The INI text is wrong (as the host would report it: file, line, section, option), including an option or section neither the host nor the plugin's <see cref="MfaPluginOptionsAttribute"/> declares.</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="TPlugin"/> has no <see cref="MfaPluginAttribute"/>, or <c>[plugin] type</c> names another type.</exception>
    public static PluginTestHost Create<TPlugin>(string ini, PluginTestOptions? options = null)
        where TPlugin : MfaClient
    {
        ArgumentNullException.ThrowIfNull(ini);
        options ??= new PluginTestOptions();
        var type = typeof(TPlugin).GetCustomAttribute<MfaPluginAttribute>()?.Type
            ?? throw new InvalidOperationException($"{typeof(TPlugin).FullName} has no [MfaPlugin(\"type\")] attribute: the host would not find it");
        var instance = options.InstanceName ?? type;
        var owned = options.ConfigDirectory is null ? Directory.CreateTempSubdirectory("mfahost-plugin-test-").FullName : null;
        var directory = options.ConfigDirectory ?? owned!;
        var file = Path.Combine(directory, owned is null ? $".{instance}.{Guid.NewGuid():N}.test.ini" : $"{instance}.ini");
        var log = new CapturedLog();
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(log));
        try
        {
            File.WriteAllText(file, ini);
            return Build(typeof(TPlugin), type, instance, file, directory, options, log, loggerFactory, owned);
        }
        catch
        {
            loggerFactory.Dispose();
            if (owned is null)
            {
                File.Delete(file);
            }
            else
            {
                Directory.Delete(owned, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Sends one <c>authenticate</c> call through the pipeline and returns its verdict (ACCEPT, DENY or NEEDINFO).</summary>
    /// <param name="request">What the gateway sends.</param>
    /// <param name="cancellationToken">The gateway giving up.</param>
    public async Task<MfaVerdict> AuthenticateAsync(TestAuthentication request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcome = await _pipeline.AuthenticateAsync(
            new AuthenticationRequest
            {
                Plugin = InstanceName,
                SessionId = request.SessionId,
                Username = request.Username,
                MfaIdentity = request.MfaIdentity,
                MfaPassword = request.MfaPassword,
                Password = request.Password,
                Answer = request.Answer,
                ClientIp = request.ClientIp,
                Protocol = request.Protocol,
                Target = request.Target,
                Attributes = request.Attributes,
            },
            cancellationToken);
        return outcome.Verdict;
    }

    /// <summary>Sends <c>session_ended</c>: the plugin's <see cref="MfaClient.SessionEndedAsync"/> runs for a session it served.</summary>
    /// <param name="sessionId">The gateway's session.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the pipeline knew the session.</returns>
    public Task<bool> SessionEndedAsync(string sessionId = "test-session", CancellationToken cancellationToken = default) =>
        _pipeline.SessionEndedAsync(sessionId, cancellationToken);

    /// <summary>Disposes the plugin and removes the temporary files.</summary>
    public async ValueTask DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        await _catalog.DisposeAsync();
        _loggerFactory.Dispose();
        if (_ownedDirectory is not null)
        {
            Directory.Delete(_ownedDirectory, recursive: true);
        }
        else
        {
            File.Delete(ConfigFile);
        }
    }

    private static PluginTestHost Build(Type pluginType, string type, string instance, string file, string directory, PluginTestOptions options, CapturedLog log, ILoggerFactory loggerFactory, string? owned)
    {
        var time = new FakeTimeProvider(options.Now);
        var credentials = new InMemoryCredentialStore(options.Secrets);
        var configuration = new PluginConfiguration(IniFile.Load(file), file, credentials);
        var declared = configuration.Section("plugin").GetString("type", type);
        if (!string.Equals(declared, type, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{file}: [plugin] type is '{declared}', but {pluginType.FullName} is type '{type}'");
        }

        // The host's strict check: a section or option neither the host nor [MfaPluginOptions] declares.
        if (InstanceOptions.FindUnknown(configuration, InstanceOptions.DeclaredBy(pluginType)).FirstOrDefault() is { } unknown)
        {
            throw unknown;
        }

        var state = new NamespacedStateStore(new InMemoryStateStore(time), instance);
        var context = new MfaPluginContext
        {
            InstanceName = instance,
            Configuration = configuration,
            Logger = loggerFactory.CreateLogger($"MfaHost.Plugins.{instance}"),
            TimeProvider = time,
            Credentials = credentials,
            HttpClientFactory = new PluginHttpClientFactory(configuration),
            State = state,
        };
        MfaClient plugin;
        try
        {
            plugin = (MfaClient)Activator.CreateInstance(pluginType, context)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }

        PluginInstance[] instances = [new PluginInstance { Name = instance, Type = type, ConfigFile = file, Configuration = configuration, Client = plugin }];
        var errors = new List<MfaConfigurationException>();
        var settings = PipelineSettingsCatalog.Read(new PluginCatalog(instances, []), errors);
        if (errors.Count > 0)
        {
            throw errors[0];
        }

        var catalog = new PluginCatalog(instances, [], settings);

        var hostSettings = new HostSettings
        {
            ConfigFile = Path.Combine(directory, "mfahost.ini"),
            ConfigDirectory = directory,
            SocketPath = Path.Combine(directory, "mfahost.sock"),
            PluginsDirectory = directory,
            PluginConfigDirectory = directory,
            DataDirectory = directory,
        };
        // The host's policy around the plugin too: circuit breaker, fail-open, request_timeout bound.
        var guard = new PluginCallGuard(new InstanceCircuits(time, loggerFactory), hostSettings, time, loggerFactory.CreateLogger<PluginCallGuard>());
        var pipeline = PipelineServiceCollectionExtensions.CreatePipeline(new ActiveCatalog(catalog), guard, hostSettings, time, loggerFactory, AuthenticationSteps.PipelineOnly);
        return new PluginTestHost(instance, file, plugin, time, state, credentials, pipeline, catalog, loggerFactory, log, owned);
    }
}
