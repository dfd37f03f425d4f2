using MfaHost.Access;
using MfaHost.Protocol.Methods;
using Microsoft.Extensions.DependencyInjection;
using MfaHost.Metrics;

namespace MfaHost.Protocol;

/// <summary>Registers the gateway socket, its dispatcher, its access policy and its methods.</summary>
internal static class GatewayProtocolServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayProtocol(this IServiceCollection services)
    {
        services.AddSingleton<InFlightRequests>();
        services.AddSingleton<ShutdownState>();
        services.AddSingleton(sp => new Logging.LogThrottle(sp.GetRequiredService<TimeProvider>(), Logging.LogThrottle.DefaultInterval));
        services.AddSingleton<AccessPolicy>();

        // The method table: one line per method.
        services.AddSingleton<DecisionAudit>();
        services.AddSingleton<IGatewayMethod, AuthenticateMethod>();
        services.AddSingleton<IGatewayMethod, SessionEndedMethod>();
        services.AddSingleton<IGatewayMethod, PluginsMethod>();
        services.AddSingleton<IGatewayMethod, HealthMethod>();
        services.AddSingleton<IGatewayMethod, ReloadMethod>();
        services.AddSingleton<IGatewayMethod, AdminMethod>();
        services.AddSingleton<IGatewayMethod, TokenCreateMethod>();
        services.AddSingleton<IGatewayMethod, TicketMethod>();
        services.AddSingleton<IGatewayMethod, TicketVerifyMethod>();
        services.AddSingleton<IGatewayMethod, StatsMethod>();

        services.AddSingleton<GatewayDispatcher>();
        services.AddSingleton<GatewaySocketServer>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewaySocketServer>());
        return services;
    }
}
