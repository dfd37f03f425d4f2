using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;

namespace MfaHost.Systemd;

/// <summary>Registers the systemd notifications (inactive unless <c>NOTIFY_SOCKET</c> is set).</summary>
internal static class SystemdServiceCollectionExtensions
{
    public static IServiceCollection AddSystemdNotifications(this IServiceCollection services)
    {
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddSingleton<ServiceManagerNotifier>();

        // Registered last: its StartAsync runs after the gateway socket listens (READY=1 waits for ApplicationStarted anyway).
        services.AddHostedService(sp => sp.GetRequiredService<ServiceManagerNotifier>());
        return services;
    }
}
