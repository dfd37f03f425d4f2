using System.Runtime.CompilerServices;
using MfaHost.Rpc;
using MfaHost.PluginSdk;
using MfaHost.State;

namespace MfaHost.Isolation;

/// <summary>
/// The plugin's state store inside a worker: every call goes to the host, which runs it on its own store in the
/// instance's namespace, so single use (one-time codes, tickets) holds across the host and all its workers. The
/// plugin catalog wraps this store in the instance's namespace as in the host; the host applies that namespace
/// itself (a worker cannot reach another instance's keys), so the prefix is taken off here and put back on listed keys.
/// </summary>
internal sealed class WorkerStateStore(RpcPeer host, string instanceName) : IStateStore
{
    private readonly string _prefix = instanceName + "/";

    public async ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken) =>
        (await CallAsync(WorkerMethods.StateGet, new StateKey(Strip(key)), WorkerJsonContext.Default.StateKey, WorkerJsonContext.Default.StateValue, cancellationToken)).Value;

    public async ValueTask SetAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        await CallAsync(WorkerMethods.StateSet, new StateWrite(Strip(key), value, expiresAt), WorkerJsonContext.Default.StateWrite, WorkerJsonContext.Default.Empty, cancellationToken);

    public async ValueTask<bool> TryAddAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        (await CallAsync(WorkerMethods.StateTryAdd, new StateWrite(Strip(key), value, expiresAt), WorkerJsonContext.Default.StateWrite, WorkerJsonContext.Default.StateFlag, cancellationToken)).Value;

    public async ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) =>
        (await CallAsync(WorkerMethods.StateRemove, new StateKey(Strip(key)), WorkerJsonContext.Default.StateKey, WorkerJsonContext.Default.StateFlag, cancellationToken)).Value;

    public async ValueTask<long> IncrementAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        (await CallAsync(WorkerMethods.StateIncrement, new StateIncrementCall(Strip(key), expiresAt), WorkerJsonContext.Default.StateIncrementCall, WorkerJsonContext.Default.StateNumber, cancellationToken)).Value;

    public async ValueTask<(bool Exists, DateTimeOffset? ExpiresAt)> TryGetExpiryAsync(string key, CancellationToken cancellationToken)
    {
        var expiry = await CallAsync(WorkerMethods.StateExpiry, new StateKey(Strip(key)), WorkerJsonContext.Default.StateKey, WorkerJsonContext.Default.StateExpiry, cancellationToken);
        return (expiry.Exists, expiry.ExpiresAt);
    }

    public async IAsyncEnumerable<KeyValuePair<string, string>> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var listed = await CallAsync(WorkerMethods.StateList, new StateKey(Strip(prefix)), WorkerJsonContext.Default.StateKey, WorkerJsonContext.Default.StateEntries, cancellationToken);
        foreach (var (key, value) in listed.Entries)
        {
            yield return new(_prefix + key, value);
        }
    }

    private string Strip(string key) => key.StartsWith(_prefix, StringComparison.Ordinal) ? key[_prefix.Length..] : key;

    private async Task<TResult> CallAsync<TParams, TResult>(
        string method, TParams parameters, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TParams> parametersType, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken)
    {
        try
        {
            return await host.CallAsync(method, parameters, parametersType, resultType, cancellationToken);
        }
        catch (RpcException e) when (e.Reason == WorkerErrors.StateUnavailable)
        {
            throw new StateUnavailableException(e.Message);
        }
        catch (WorkerUnavailableException e)
        {
            throw new StateUnavailableException("the worker lost its link to the host", e);
        }
    }
}
