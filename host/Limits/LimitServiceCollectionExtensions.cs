using MfaHost.PluginSdk;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Limits;

/// <summary>Registers the limits' state and status (their steps are in <c>Hosting/AuthenticationSteps</c>).</summary>
internal static class LimitServiceCollectionExtensions
{
    public static IServiceCollection AddLimits(this IServiceCollection services)
    {
        services.AddSingleton(sp => new LimitState(sp.GetRequiredService<IStateStore>()));
        services.AddSingleton<LimitStatus>();
        return services;
    }
}
