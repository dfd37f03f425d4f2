using System.Runtime.CompilerServices;
using MfaHost.PluginSdk;

namespace MfaHost.State;

/// <summary>
/// The host's state store as everything in the host sees it: every failure of the backend becomes a
/// <see cref="StateUnavailableException"/> (so the pipeline fails closed, and a plugin's own error handling cannot
/// mistake it for an unreachable MFA service and fail open), and <see cref="StateHealth"/> follows the outcome.
/// </summary>
internal sealed class GuardedStateStore(IStateStore inner, StateHealth health, string backend) : IStateStore, IAsyncDisposable
{
    private const string ProbeKey = "#probe";
    private static readonly TimeSpan ProbeLifetime = TimeSpan.FromMinutes(1);

    public IStateStore Inner => inner;

    public StateHealth Health => health;

    public ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.GetAsync(key, cancellationToken), cancellationToken, isWrite: false);

    public async ValueTask SetAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        await GuardAsync(async () => { await inner.SetAsync(key, value, expiresAt, cancellationToken); return true; }, cancellationToken);

    public ValueTask<bool> TryAddAsync(string key, string value, DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.TryAddAsync(key, value, expiresAt, cancellationToken), cancellationToken);

    public ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.RemoveAsync(key, cancellationToken), cancellationToken);

    public ValueTask<long> IncrementAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.IncrementAsync(key, expiresAt, cancellationToken), cancellationToken);

    public ValueTask<(bool Exists, DateTimeOffset? ExpiresAt)> TryGetExpiryAsync(string key, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.TryGetExpiryAsync(key, cancellationToken), cancellationToken, isWrite: false);

    public async IAsyncEnumerable<KeyValuePair<string, string>> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = inner.ListAsync(prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await GuardAsync(() => enumerator.MoveNextAsync(), cancellationToken, isWrite: false))
            {
                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
    }

    /// <summary>
    /// One cheap write: brings <see cref="Health"/> up to date (the maintenance loop calls it while the store is failing).
    /// A write, because a store that still reads but cannot write (a full disk) cannot decide a login either.
    /// </summary>
    public async Task ProbeAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await SetAsync(ProbeKey, "1", now + ProbeLifetime, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        switch (inner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    // Only a write proves the store usable again: reads still succeed on a full disk, and marking the store healthy on
    // every read would flip health (and the log) between degraded and ok at each login.
    private async ValueTask<T> GuardAsync<T>(Func<ValueTask<T>> operation, CancellationToken cancellationToken, bool isWrite = true)
    {
        try
        {
            var result = await operation();
            if (isWrite)
            {
                health.Succeeded();
            }

            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (ArgumentException)
        {
            throw;
        }
        catch (StateUnavailableException e)
        {
            health.Failed(e.Message);
            throw;
        }
#pragma warning disable CA1031 // Whatever the backend throws (socket, timeout, server error, disk full) means: no state now.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var problem = e is StateSchemaTooNewException ? e.Message : $"the {backend} state store is unavailable: {Describe(e)}";
            health.Failed(problem);
            throw new StateUnavailableException(problem, e);
        }
    }

    /// <summary>The message and the innermost one, which names the cause ("Connection refused", "Timeout during reading attempt"); neither holds a secret.</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            message = inner.Message;
        }

        return e.InnerException is null || message.TrimEnd('.') == e.Message.TrimEnd('.') ? e.Message : $"{e.Message} ({message})";
    }
}
