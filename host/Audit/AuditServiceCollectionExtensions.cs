using MfaHost.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Audit;

/// <summary>Registers the audit trail. Call before the gateway protocol: hosted services stop in reverse order, so the trail outlives the last request.</summary>
internal static class AuditServiceCollectionExtensions
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<IConfigurationGeneration, ServingConfigurationGeneration>();
        services.AddSingleton(sp => sp.GetRequiredService<HostSettings>().Audit);
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<IAuditTrail>(sp => sp.GetRequiredService<AuditTrail>());
        services.AddHostedService(sp => sp.GetRequiredService<AuditTrail>());
        return services;
    }
}
