using System.Runtime.InteropServices;

namespace MfaHost.Hosting;

/// <summary>
/// SIGHUP (what <c>systemctl reload</c> sends) for the whole run of the host, one registration from before the
/// configuration is read until the process ends: an unhandled SIGHUP would end a .NET process, and with one handler there
/// is no moment between two registrations where a SIGHUP is lost. Until the host serves, a SIGHUP is kept, not dropped:
/// the configuration read at start may already be out of date, so the host reloads once as soon as it serves
/// (<see cref="Attach"/>). Later ones reload at once.
/// </summary>
internal sealed class HangupSignal : IDisposable
{
    private readonly object _gate = new();
    private PosixSignalRegistration? _registration;
    private Action<string>? _reload;
    private bool _pending;

    /// <summary>Handles SIGHUP from now on.</summary>
    public static HangupSignal Register()
    {
        // Under nohup SIGHUP arrives ignored, and .NET would leave it so: kill -HUP would do nothing.
        Unix.IgnoredSignals.RestoreHangup();
        var hangup = new HangupSignal();
        hangup._registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            hangup.Raise();
        });
        return hangup;
    }

    /// <summary>A SIGHUP arrived: reload, or remember it until the host serves.</summary>
    internal void Raise()
    {
        Action<string>? reload;
        lock (_gate)
        {
            reload = _reload;
            _pending |= reload is null;
        }

        reload?.Invoke("SIGHUP");
    }

    /// <summary>From now on a SIGHUP reloads through <paramref name="reload"/>; SIGHUPs that came before reload now, once.</summary>
    public void Attach(Action<string> reload)
    {
        ArgumentNullException.ThrowIfNull(reload);
        bool pending;
        lock (_gate)
        {
            _reload = reload;
            pending = _pending;
            _pending = false;
        }

        if (pending)
        {
            reload("SIGHUP while starting");
        }
    }

    public void Dispose() => _registration?.Dispose();
}
