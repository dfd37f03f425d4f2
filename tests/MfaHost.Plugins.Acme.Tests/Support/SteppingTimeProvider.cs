using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Plugins.Acme.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when the code under test starts waiting (creates a
/// timer, as <c>Task.Delay(interval, timeProvider, token)</c> does), so a test can advance the clock
/// exactly when the plugin sleeps: no real waiting, no timing.
/// </summary>
public sealed class SteppingTimeProvider : FakeTimeProvider
{
    private readonly Channel<bool> _timers = Channel.CreateUnbounded<bool>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(true);
        return timer;
    }

    /// <summary>Waits until the code under test starts one more wait.</summary>
    public async Task WaitForWaitAsync(CancellationToken cancellationToken = default)
    {
        while (!_timers.Reader.TryRead(out _))
        {
            await _timers.Reader.WaitToReadAsync(cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="task"/> to its end, advancing the clock by <paramref name="step"/> whenever it waits.</summary>
    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan step)
    {
        while (true)
        {
            // The watcher is cancelled once the task ends, so that it does not swallow the next run's first wait.
            using var stop = new CancellationTokenSource();
            var waiting = WaitForWaitAsync(stop.Token);
            if (await Task.WhenAny(task, waiting) == task)
            {
                await stop.CancelAsync();
                return await task;
            }

            Advance(step);
        }
    }
}
