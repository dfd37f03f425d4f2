namespace MfaHost.Plugins;

/// <summary>
/// Runs plugin code off the caller's path under a time limit. A plugin that blocks its thread (Thread.Sleep, a
/// synchronous read) before or instead of returning a task would otherwise hold the caller, and with it the answer
/// to the gateway, forever: here the plugin runs on a thread-pool thread and the caller waits for it at most
/// <c>limit</c>. The plugin's token is cancelled when the limit is reached; a plugin that ignores it keeps its
/// thread until it returns (there is no safe way to stop a thread), but nobody waits for it any more.
/// </summary>
internal static class BoundedPluginCall
{
    /// <summary>
    /// Runs <paramref name="call"/>. Throws <see cref="TimeoutException"/> when <paramref name="limit"/> is reached
    /// first, <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first, and
    /// otherwise whatever the call returns or throws.
    /// </summary>
    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, TimeSpan limit, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var task = Task.Run(() => call(bound.Token), CancellationToken.None);
        try
        {
            return await task.WaitAsync(limit, timeProvider, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested && !task.IsCompleted))
        {
            // Tell the plugin to stop, and observe its late failure so that it is not reported as unobserved.
            await bound.CancelAsync();
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }
}
