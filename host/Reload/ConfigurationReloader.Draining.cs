using MfaHost.Plugins;

namespace MfaHost.Reload;

/// <summary>Draining a replaced or removed instance: it finishes what runs on it and its open conversations and sessions, then is disposed.</summary>
internal sealed partial class ConfigurationReloader
{
    private void Track(Task drain)
    {
        lock (_draining)
        {
            _draining.RemoveAll(t => t.IsCompleted);
            _draining.Add(drain);
        }
    }

    private async Task DrainAsync(PluginInstance instance, long generation, TimeSpan drainTimeout)
    {
        var deadline = timeProvider.GetUtcNow() + drainTimeout;
        var poll = TimeSpan.FromMilliseconds(100);
        while (!(IsIdle(instance) && instance.TryClose()))
        {
            if (timeProvider.GetUtcNow() >= deadline || _stopping.IsCancellationRequested)
            {
                ReloadLog.DrainTimedOut(logger, instance.Name, generation, instance.InFlight, drainTimeout);
                instance.Retire();

                // Cancelled plugin calls answer at once; a plugin that ignores its token is still bounded by request_timeout.
                while (!instance.TryClose())
                {
                    await Task.Delay(poll, timeProvider);
                }

                break;
            }

            await Task.Delay(poll, timeProvider);
        }

        await instance.DisposeAsync();
        pipeline.Forget(instance);
        ReloadLog.Drained(logger, instance.Name, generation);
    }

    // Sessions count too: their session_ended still reaches the instance while it drains.
    private bool IsIdle(PluginInstance instance) =>
        instance.InFlight == 0 && !pipeline.Conversations.HasOpenConversationsOn(instance) && !pipeline.Lifetime.Sessions.HasSessionsOn(instance);
}
