using MfaHost.Plugins;
using MfaHost.State;
using Microsoft.Extensions.Hosting;

namespace MfaHost.Reload;

/// <summary>
/// A plugin instance whose constructor needed the state store while it was unavailable (the totp plugin reads its
/// enrollments at start) did not load. When the store answers again this reloads the configuration, which tries such
/// an instance again, so it serves without a restart like the rest of the host. Nothing happens while every instance is loaded.
/// </summary>
internal sealed class StateRecoveryReload : IHostedService, IDisposable
{
    private readonly StateHealth _health;
    private readonly ActiveCatalog _active;
    private readonly ConfigurationReloader _reloader;

    // Subscribed when constructed (all hosted services are, before the first starts), so the state maintenance's
    // first probe at start-up is seen too.
    public StateRecoveryReload(StateHealth health, ActiveCatalog active, ConfigurationReloader reloader)
    {
        _health = health;
        _active = active;
        _reloader = reloader;
        _health.Changed += OnChanged;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _health.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    public void Dispose() => _health.Changed -= OnChanged;

    private void OnChanged(string? problem)
    {
        // The event is raised inside a state operation: the reload (which constructs plugins) runs elsewhere.
        if (problem is null && _active.Current.Instances.Any(i => !i.IsLoaded && i.Definition is { Error: null }))
        {
            _ = Task.Run(() => _reloader.RequestReload("state store available again"));
        }
    }
}
