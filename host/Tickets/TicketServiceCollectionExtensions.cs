using MfaHost.Configuration;
using MfaHost.Pipeline;
using MfaHost.State;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Tickets;

/// <summary>Registers one-time tokens, session tokens and tickets (their gateway methods are the protocol's; their steps are in <c>Hosting/AuthenticationSteps</c>).</summary>
internal static class TicketServiceCollectionExtensions
{
    public static IServiceCollection AddTickets(this IServiceCollection services)
    {
        // Tokens and tickets live in the host's own state: memory with SQLite, the shared store with PostgreSQL.
        services.AddSingleton<IReplayStore>(sp => new StateReplayStore(sp.GetRequiredService<HostState>().Store));
        services.AddSingleton(sp => sp.GetRequiredService<HostSettings>().Tickets);
        services.AddSingleton(sp => new OneTimeTokenService(sp.GetRequiredService<HostState>().Store, sp.GetRequiredService<IReplayStore>(), sp.GetRequiredService<TicketSettings>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new SessionTokenService(sp.GetRequiredService<HostState>().Store, sp.GetRequiredService<TicketSettings>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new TicketService(sp.GetRequiredService<HostState>().Store, sp.GetRequiredService<IReplayStore>(), sp.GetRequiredService<SessionTokenService>(), sp.GetRequiredService<TicketSettings>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ISessionEndedListener>(sp => sp.GetRequiredService<SessionTokenService>());
        return services;
    }
}
