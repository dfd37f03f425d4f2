using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MfaHost.Isolation;
using MfaHost.Configuration;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.Rpc;
using MfaHost.State;

namespace MfaHost.Cli;

/// <summary>
/// <c>mfahost plugin-worker</c>: runs one plugin instance for a host. It reads the configuration with the host's
/// loader, constructs the instance's client as the host would (same folder loader, same configuration, its own
/// credential store), and serves the host's calls over its standard input and output (JSON-RPC, JSON Lines).
/// Logging and state go back to the host. It exits when the host closes its standard input.
/// </summary>
internal sealed partial class PluginWorker(string configPath, string instanceName, TextWriter errors)
{
    private readonly ConcurrentDictionary<string, MfaSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _starting = new();
    private RpcPeer? _host;
    private StartResult? _started;
    private PluginInstance? _instance;

    /// <summary>Serves the host until it closes the link; the exit code.</summary>
    public static async Task<int> RunAsync(string configPath, string instanceName, CliConsole console)
    {
        Stream input;
        Stream output;
        try
        {
            (input, output) = TakeOverStandardStreams();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            await console.Error.WriteLineAsync($"error: plugin-worker is started by the host, with pipes as its standard input and output ({e.Message})");
            return ExitCodes.UsageOrConfig;
        }

        var worker = new PluginWorker(configPath, instanceName, Console.Error);
        await using var host = new RpcPeer(input, output, worker.HandleAsync, problem => Console.Error.WriteLine($"plugin-worker {instanceName}: ignored a line from the host: {problem}"));
        worker._host = host;
        host.Start();
        await host.Completion;
        await worker.StopAsync();
        return ExitCodes.Ok;
    }

    private async Task<RpcResult?> HandleAsync(RpcRequest request, CancellationToken cancellationToken)
    {
        switch (request.Method)
        {
            case WorkerMethods.Start:
                return RpcResult.Of(Start(), WorkerJsonContext.Default.StartResult);
            case WorkerMethods.Ping:
                return RpcResult.Of(new PingResult(GC.GetTotalMemory(forceFullCollection: false)), WorkerJsonContext.Default.PingResult);
            case WorkerMethods.Authenticate:
                return RpcResult.Of(await AuthenticateAsync(WorkerCalls.Read(request, WorkerJsonContext.Default.AuthenticateCall), cancellationToken), WorkerJsonContext.Default.VerdictResult);
            case WorkerMethods.SessionEnded:
                await SessionEndedAsync(WorkerCalls.Read(request, WorkerJsonContext.Default.SessionEndedCall), cancellationToken);
                return null;
            case WorkerMethods.Admin:
                return RpcResult.Of(await AdminAsync(WorkerCalls.Read(request, WorkerJsonContext.Default.AdminCall), cancellationToken), WorkerJsonContext.Default.AdminCallResult);
            default:
                throw new RpcException(RpcErrorCodes.MethodNotFound, $"Method not found: '{request.Method}'", ReasonWords.UnknownMethod);
        }
    }

    private StartResult Start()
    {
        lock (_starting)
        {
            return _started ??= Construct();
        }
    }

    private StartResult Construct()
    {
        var errors = new List<MfaConfigurationException>();
        var snapshot = ConfigurationSnapshotLoader.Load(configPath, null, TimeProvider.System);
        try
        {
            var definition = snapshot.Instances.FirstOrDefault(i => i.Name == instanceName);
            var relevant = snapshot.Errors.FirstOrDefault(e => definition is null || e.FilePath == definition.ConfigFile || !snapshot.Instances.Any(i => i.ConfigFile == e.FilePath));
            if (relevant is not null)
            {
                return new StartResult { ConfigurationError = ToError(relevant) };
            }

            if (definition is null)
            {
                return new StartResult { Error = $"the configuration {configPath} has no enabled instance '{instanceName}' (any more)" };
            }

            var builder = new PluginCatalogBuilder(snapshot.Host, new WorkerLoggerFactory(_host!), TimeProvider.System, new WorkerStateStore(_host!, instanceName));
            var instance = builder.Create(definition with { Isolation = IsolationSettings.None }, errors);
            if (instance is null)
            {
                return new StartResult { ConfigurationError = ToError(errors[0]) };
            }

            if (instance.Client is not { } client)
            {
                return new StartResult { Error = instance.Error ?? "the plugin could not be constructed" };
            }

            _instance = instance;
            return new StartResult
            {
                Brand = client.BrandName,
                IgnoreConnectionError = client.IgnoreConnectionError,
                Capabilities = (int)instance.Capabilities,
                AdminOperations = [.. client.AdminOperations.Select(o => new AdminOperationEntry(o.Name, o.Description))],
            };
        }
        finally
        {
            snapshot.ReleaseUnusedPackages();
        }
    }

    private async Task<VerdictResult> AuthenticateAsync(AuthenticateCall call, CancellationToken cancellationToken)
    {
        var client = Client();
        var request = new MfaRequest
        {
            Username = call.Username,
            MfaIdentity = call.MfaIdentity,
            MfaPassword = call.MfaPassword,
            Password = call.Password,
            Session = _sessions.GetOrAdd(call.SessionId, static id => new MfaSession(id)),
            ClientIp = call.ClientIp,
            Protocol = call.Protocol,
            Target = call.Target,
            Attributes = call.Attributes ?? [],
        };
        var verdict = await RunPluginAsync(() => client.ExecuteAuthenticateAsync(request, cancellationToken), cancellationToken);
        return new VerdictResult
        {
            Kind = verdict.Kind switch { MfaVerdictKind.Accept => "accept", MfaVerdictKind.NeedInfo => "needinfo", _ => "deny" },
            Reason = verdict.Reason,
            Message = verdict.Message,
            Question = verdict.Question,
            Key = verdict.Key,
            DisableEcho = verdict.DisableEcho,
            Metadata = verdict.Metadata.Count == 0 ? null : new Dictionary<string, string>(verdict.Metadata),
        };
    }

    private async Task SessionEndedAsync(SessionEndedCall call, CancellationToken cancellationToken)
    {
        var client = Client();
        if (_sessions.TryRemove(call.SessionId, out var session))
        {
            await RunPluginAsync(async () =>
            {
                await client.SessionEndedAsync(session, cancellationToken);
                return 0;
            }, cancellationToken);
        }
    }

    private async Task<AdminCallResult> AdminAsync(AdminCall call, CancellationToken cancellationToken)
    {
        var client = Client();
        try
        {
            return new AdminCallResult(await RunPluginAsync(() => client.ExecuteAdminAsync(call.Operation, call.Arguments, cancellationToken), cancellationToken));
        }
        catch (MfaAdminException e)
        {
            var reason = e.Kind switch
            {
                MfaAdminErrorKind.InvalidArguments => WorkerErrors.AdminInvalidArguments,
                MfaAdminErrorKind.UnknownOperation => WorkerErrors.AdminUnknownOperation,
                _ => WorkerErrors.AdminRefused,
            };
            throw new RpcException(RpcErrorCodes.InvalidParams, e.Message, reason);
        }
    }

    /// <summary>Runs plugin code and turns what it throws into the protocol's errors, as the host's guard expects them.</summary>
    private static async Task<T> RunPluginAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e)
        {
            throw new RpcException(RpcErrorCodes.InternalError, e.Message, WorkerErrors.PluginCancelled);
        }
        catch (MfaAdminException)
        {
            throw;
        }
        catch (OutOfMemoryException)
        {
            // The worker's heap limit (max_memory_mb) is reached: this process is done; the host starts a fresh one.
            Environment.FailFast("the plugin ran out of memory (max_memory_mb)");
            throw;
        }
        catch (Exception e) when (StateUnavailableException.Find(e) is { } unavailable)
        {
            throw new RpcException(RpcErrorCodes.InternalError, unavailable.Message, WorkerErrors.StateUnavailable);
        }
        catch (Exception e) when (e is not RpcException)
        {
            // The exception's text as the host would have logged it (the plugin's own message and stack).
            throw new RpcException(RpcErrorCodes.InternalError, e.ToString(), WorkerErrors.PluginThrew);
        }
    }

    private MfaClient Client() =>
        _instance?.Client ?? throw new RpcException(RpcErrorCodes.InternalError, "the worker has not constructed its plugin", WorkerErrors.NotStarted);

    private async Task StopAsync()
    {
        if (_instance is { } instance)
        {
            try
            {
                await instance.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            }
#pragma warning disable CA1031 // The worker exits either way; the plugin's failure to clean up is only reported.
            catch (Exception e)
#pragma warning restore CA1031
            {
                await errors.WriteLineAsync($"plugin-worker {instanceName}: disposing the plugin failed: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static ConfigurationError ToError(MfaConfigurationException e) => new(e.FilePath, e.Line, e.Section, e.Option, e.Problem);
}
