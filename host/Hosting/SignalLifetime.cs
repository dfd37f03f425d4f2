using System.Runtime.InteropServices;
using MfaHost.Reload;
using Microsoft.Extensions.Hosting;

namespace MfaHost.Hosting;

/// <summary>
/// Stops the host on SIGTERM, SIGINT and SIGQUIT, without the console lifetime's banner lines; reloads
/// the configuration on SIGHUP (what <c>systemctl reload</c> sends), which never stops the host, once the host serves
/// (a SIGHUP that came earlier, kept by <see cref="HangupSignal"/>, reloads then).
/// </summary>
internal sealed class SignalLifetime(IHostApplicationLifetime lifetime, ConfigurationReloader reloader, HangupSignal hangup) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                lifetime.StopApplication();
            }));
        }

        lifetime.ApplicationStarted.Register(() => hangup.Attach(reloader.RequestReload));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
