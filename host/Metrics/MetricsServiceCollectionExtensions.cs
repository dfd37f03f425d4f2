using MfaHost.Configuration;
using MfaHost.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MfaHost.Metrics;

/// <summary>Registers the meter, the decision observer, the status the <c>stats</c> method reads and the metrics listener.</summary>
internal static class MetricsServiceCollectionExtensions
{
    public static IServiceCollection AddHostMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<DecisionHistory>();
        services.AddSingleton<HostMetrics>();
        services.AddSingleton<HostStatus>();
        services.AddSingleton<HostGauges>();
        services.AddSingleton<MeterReadings>();
        services.AddSingleton(sp => sp.GetRequiredService<HostSettings>().Metrics);
        services.AddSingleton<StatusPage>();

        // Every answer to authenticate passes the measuring decorator, whatever step decided it.
        services.Replace(ServiceDescriptor.Singleton<IAuthenticationPipeline>(sp => new MeasuredPipeline(
            sp.GetRequiredService<AuthenticationPipeline>(),
            sp.GetRequiredService<HostMetrics>(),
            sp.GetRequiredService<TimeProvider>())));

        services.AddSingleton<MetricsHttpListener>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsHttpListener>());
        return services;
    }
}
