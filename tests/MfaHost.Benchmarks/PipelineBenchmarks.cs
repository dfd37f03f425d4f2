using BenchmarkDotNet.Attributes;
using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.Resilience;
using MfaHost.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MfaHost.Benchmarks;

/// <summary>
/// One <c>authenticate</c> through the real pipeline and the host's steps (default instance settings: the lock-out and
/// the push limit on), over an in-process plugin that accepts every one-time password: the cost of the steps themselves.
/// </summary>
public class PipelineBenchmarks : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mfabench-pipeline-").FullName;
    private readonly AuthenticationPipeline _pipeline;
    private readonly PluginCatalog _catalog;
    private readonly AuthenticationRequest _otp = new() { Plugin = "bench", SessionId = "s1", Username = "alice", MfaPassword = "123456", ClientIp = "10.0.0.1" };
    private readonly AuthenticationRequest _whitelisted = new() { Plugin = "bench", SessionId = "s2", Username = "svc", ClientIp = "10.0.0.1" };

    public PipelineBenchmarks()
    {
        var file = Path.Combine(_directory, "bench.ini");
        File.WriteAllText(file, "[whitelist]\nusers = svc\n");
        var configuration = new PluginConfiguration(IniFile.Load(file), file, NoCredentials.Instance);
        var time = TimeProvider.System;
        var client = new AcceptingClient(new MfaPluginContext
        {
            InstanceName = "bench",
            Configuration = configuration,
            Logger = NullLogger.Instance,
            TimeProvider = time,
            Credentials = NoCredentials.Instance,
            HttpClientFactory = null!,
            State = new InMemoryStateStore(time),
        });
        PluginInstance[] instances = [new() { Name = "bench", Type = "bench", ConfigFile = file, Configuration = configuration, Client = client }];
        var errors = new List<MfaConfigurationException>();
        _catalog = new PluginCatalog(instances, [], PipelineSettingsCatalog.Read(new PluginCatalog(instances, []), errors));
        var host = new HostSettings
        {
            ConfigFile = Path.Combine(_directory, "mfahost.ini"),
            ConfigDirectory = _directory,
            SocketPath = Path.Combine(_directory, "s.sock"),
            PluginsDirectory = _directory,
            PluginConfigDirectory = _directory,
            DataDirectory = _directory,
        };
        var guard = new PluginCallGuard(new InstanceCircuits(time, NullLoggerFactory.Instance), host, time, NullLogger<PluginCallGuard>.Instance);
        _pipeline = PipelineServiceCollectionExtensions.CreatePipeline(
            new ActiveCatalog(_catalog),
            guard,
            host,
            time,
            NullLoggerFactory.Instance,
            AuthenticationSteps.InOrder,
            services =>
            {
                services.AddSingleton<IStateStore>(new InMemoryStateStore(time));
                services.AddSingleton(HostState.Create(host.State, new InMemoryStateStore(time), time));
                Tickets.TicketServiceCollectionExtensions.AddTickets(services);
                Limits.LimitServiceCollectionExtensions.AddLimits(services);
            });
    }

    [Benchmark(Description = "pipeline: one-time password, plugin ACCEPT")]
    public async Task<bool> Otp() => (await _pipeline.AuthenticateAsync(_otp, CancellationToken.None)).Verdict.IsAccept;

    [Benchmark(Description = "pipeline: whitelisted")]
    public async Task<bool> Whitelisted() => (await _pipeline.AuthenticateAsync(_whitelisted, CancellationToken.None)).Verdict.IsAccept;

    public async ValueTask DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        await _catalog.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    private sealed class AcceptingClient(MfaPluginContext context) : MfaClient(context, "Bench")
    {
        protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken) =>
            ValueTask.FromResult<MfaResult>(MfaVerdict.Accept());
    }
}
