using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace MfaHost.Systemd;

/// <summary>
/// Tells systemd (<c>Type=notify</c>) how the host is doing, through <c>NOTIFY_SOCKET</c>: <c>READY=1</c> once every
/// service has started (the gateway socket then accepts connections), <c>STOPPING=1</c> when shutdown begins,
/// <c>RELOADING=1</c> … <c>READY=1</c> around a configuration reload, and <c>WATCHDOG=1</c> every half
/// <c>WatchdogSec</c>. Without <c>NOTIFY_SOCKET</c> it does nothing.
/// </summary>
/// <remarks>
/// The datagrams go through the package's <see cref="ISystemdNotifier"/>. Its <c>SystemdLifetime</c> is not used:
/// it only acts when the parent process is systemd itself (not under a test, <c>systemd-run</c> wrappers or a
/// supervisor passing the socket on), it would replace the host's own signal handling, and it has no watchdog
/// or reload notifications. Keying off <c>NOTIFY_SOCKET</c> is what <c>sd_notify(3)</c> does.
/// </remarks>
internal sealed class ServiceManagerNotifier(
    ISystemdNotifier notifier,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("MfaHost.Systemd");
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private ITimer? _watchdog;

    /// <summary>Whether a service manager listens (<c>NOTIFY_SOCKET</c> is set).</summary>
    public bool IsEnabled => notifier.IsEnabled;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!notifier.IsEnabled)
        {
            return Task.CompletedTask;
        }

        // ApplicationStarted fires after every hosted service's StartAsync, the gateway socket's included.
        _registrations.Add(lifetime.ApplicationStarted.Register(() => Send("READY=1\nSTATUS=Serving")));
        _registrations.Add(lifetime.ApplicationStopping.Register(() => Send("STOPPING=1\nSTATUS=Stopping")));
        if (WatchdogInterval() is { } interval)
        {
            var period = interval / 2;
            _watchdog = timeProvider.CreateTimer(_ => Send("WATCHDOG=1"), null, period, period);
            SystemdLog.WatchdogEnabled(_logger, interval, period);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // The watchdog keeps pinging while requests drain: stopping is bounded by TimeoutStopSec, not by the watchdog.
        return Task.CompletedTask;
    }

    /// <summary>A configuration reload begins; <see cref="Reloaded"/> must follow.</summary>
    public void Reloading()
    {
        if (notifier.IsEnabled)
        {
            // systemd 253+ (Type=notify-reload) wants the monotonic time with RELOADING=1; older ones ignore it.
            var microseconds = Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000);
            Send(string.Create(CultureInfo.InvariantCulture, $"RELOADING=1\nMONOTONIC_USEC={microseconds}\nSTATUS=Reloading the configuration"));
        }
    }

    /// <summary>A configuration reload ended (applied or refused): the host serves again.</summary>
    public void Reloaded()
    {
        if (notifier.IsEnabled)
        {
            Send("READY=1\nSTATUS=Serving");
        }
    }

    public void Dispose()
    {
        _watchdog?.Dispose();
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    /// <summary><c>WATCHDOG_USEC</c>, when it is meant for this process (<c>WATCHDOG_PID</c> absent or ours).</summary>
    internal static TimeSpan? WatchdogInterval()
    {
        if (Environment.GetEnvironmentVariable("WATCHDOG_PID") is { Length: > 0 } pid
            && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }

    private void Send(string state)
    {
        try
        {
            notifier.Notify(new ServiceState(state));
        }
#pragma warning disable CA1031 // A notification that cannot be sent must not stop the host; systemd's timeouts will tell.
        catch (Exception e)
#pragma warning restore CA1031
        {
            SystemdLog.NotifyFailed(_logger, state.Split('\n')[0], e);
        }
    }
}
