using System.Text.Json.Serialization.Metadata;
using MfaHost.Rpc;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Logging;

namespace MfaHost.Isolation;

/// <summary>What the host serves an isolated instance's worker: its log lines (written to the plugin's logger) and its state store.</summary>
internal sealed class WorkerHostServices(IStateStore state, ILogger pluginLogger)
{
    /// <summary>The worker's calls to the host: its log lines and its state store.</summary>
    public async Task<RpcResult?> ServeAsync(RpcRequest request, CancellationToken cancellationToken)
    {
        try
        {
            switch (request.Method)
            {
                case WorkerMethods.Log:
                    WriteLog(WorkerCalls.Read(request, WorkerJsonContext.Default.LogEntry));
                    return null;
                case WorkerMethods.StateGet:
                    return Result(new StateValue(await state.GetAsync(WorkerCalls.Read(request, WorkerJsonContext.Default.StateKey).Key, cancellationToken)), WorkerJsonContext.Default.StateValue);
                case WorkerMethods.StateSet:
                    var set = WorkerCalls.Read(request, WorkerJsonContext.Default.StateWrite);
                    await state.SetAsync(set.Key, set.Value, set.ExpiresAt, cancellationToken);
                    return null;
                case WorkerMethods.StateTryAdd:
                    var add = WorkerCalls.Read(request, WorkerJsonContext.Default.StateWrite);
                    return Result(new StateFlag(await state.TryAddAsync(add.Key, add.Value, add.ExpiresAt, cancellationToken)), WorkerJsonContext.Default.StateFlag);
                case WorkerMethods.StateRemove:
                    return Result(new StateFlag(await state.RemoveAsync(WorkerCalls.Read(request, WorkerJsonContext.Default.StateKey).Key, cancellationToken)), WorkerJsonContext.Default.StateFlag);
                case WorkerMethods.StateIncrement:
                    var increment = WorkerCalls.Read(request, WorkerJsonContext.Default.StateIncrementCall);
                    return Result(new StateNumber(await state.IncrementAsync(increment.Key, increment.ExpiresAt, cancellationToken)), WorkerJsonContext.Default.StateNumber);
                case WorkerMethods.StateExpiry:
                    var (exists, expiresAt) = await state.TryGetExpiryAsync(WorkerCalls.Read(request, WorkerJsonContext.Default.StateKey).Key, cancellationToken);
                    return Result(new StateExpiry(exists, expiresAt), WorkerJsonContext.Default.StateExpiry);
                case WorkerMethods.StateList:
                    var entries = new List<KeyValuePair<string, string>>();
                    await foreach (var entry in state.ListAsync(WorkerCalls.Read(request, WorkerJsonContext.Default.StateKey).Key, cancellationToken))
                    {
                        entries.Add(entry);
                    }

                    return Result(new StateEntries(entries), WorkerJsonContext.Default.StateEntries);
                default:
                    throw new RpcException(RpcErrorCodes.MethodNotFound, $"Method not found: '{request.Method}'", ReasonWords.UnknownMethod);
            }
        }
        catch (Exception e) when (StateUnavailableException.Find(e) is { } unavailable)
        {
            throw new RpcException(RpcErrorCodes.InternalError, unavailable.Message, WorkerErrors.StateUnavailable);
        }
    }

    private static RpcResult Result<T>(T value, JsonTypeInfo<T> type) => RpcResult.Of(value, type);

    private void WriteLog(LogEntry entry)
    {
        var level = (LogLevel)Math.Clamp(entry.Level, (int)LogLevel.Trace, (int)LogLevel.Critical);
        if (!pluginLogger.IsEnabled(level))
        {
            return;
        }

        var exception = entry.Exception is { } text ? new IsolatedPluginException(text) : null;
        pluginLogger.Log(level, new EventId(entry.EventId, entry.EventName), entry.Message, exception, static (message, _) => message);
    }
}
