using System.Text;
using BenchmarkDotNet.Attributes;
using MfaHost.Audit;
using MfaHost.Configuration;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.Protocol;
using MfaHost.Access;
using MfaHost.Protocol.Methods;
using MfaHost.Rpc;
using Microsoft.Extensions.Logging.Abstractions;
using MfaHost.Metrics;

namespace MfaHost.Benchmarks;

/// <summary>
/// Dispatch of one decoded authenticate request: method lookup, access check, in-flight limit, request
/// timeout, params decoding, the (stub) pipeline and result mapping.
/// </summary>
public class DispatchBenchmarks
{
    private readonly GatewayDispatcher _dispatcher;
    private readonly RpcRequest _request;
    private readonly PeerCredentials _peer = new(1, 0, 0);

    public DispatchBenchmarks()
    {
        var settings = new HostSettings
        {
            ConfigFile = "/tmp/mfahost.ini",
            ConfigDirectory = "/tmp",
            SocketPath = "/tmp/mfahost.sock",
            PluginsDirectory = "/tmp/plugins",
            PluginConfigDirectory = "/tmp/plugins",
            DataDirectory = "/tmp/data",
        };
        _dispatcher = new GatewayDispatcher(
            [new AuthenticateMethod(new AcceptingPipeline(), new DecisionAudit(NoAuditTrail.Instance, new ActiveCatalog()), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<AuthenticateMethod>.Instance)],
            new AccessPolicy(AccessRules.Default, 0),
            new InFlightRequests(settings),
            settings,
            TimeProvider.System,
            new ShutdownState(),
            new MfaHost.Logging.LogThrottle(TimeProvider.System, MfaHost.Logging.LogThrottle.DefaultInterval),
            NullLoggerFactory.Instance);
        _request = RpcRequestParser.TryParse(Encoding.UTF8.GetBytes(LineDriver.AuthenticateLine("noop", 1, 42)), out var request, out _, out _)
            ? request!
            : throw new InvalidOperationException("the benchmark request does not parse");
    }

    [Benchmark(Description = "dispatch authenticate (stub pipeline)")]
    public async Task<bool> Dispatch()
    {
        _dispatcher.Admit(_request, _peer, 1, out var method);
        return await _dispatcher.RunAsync(method!, _request, _peer, 1, CancellationToken.None) is not null;
    }

    private sealed class AcceptingPipeline : IAuthenticationPipeline
    {
        private static readonly Task<AuthenticationOutcome> Accepted = Task.FromResult(new AuthenticationOutcome(MfaVerdict.Accept(), "user1"));

        public Task<AuthenticationOutcome> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken) => Accepted;

        public Task<bool> SessionEndedAsync(string sessionId, CancellationToken cancellationToken) => Task.FromResult(true);
    }
}
