using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Limits;

/// <summary>Registers the host-enforced limits around every plugin call.</summary>
internal static class LimitServiceCollectionExtensions
{
    public static IServiceCollection AddLimits(this IServiceCollection services)
    {
        services.AddSingleton(sp => new LimitState(sp.GetRequiredService<IStateStore>()));
        services.AddSingleton<LimitStatus>();

        // Order matters: the number is shown before anything is counted (a typed code then meets the lock-out
        // like any other), and a locked-out identity gets no push counted.
        services.AddSingleton<IPluginCallFilter, NumberMatchingFilter>();
        services.AddSingleton<IPluginCallFilter, LockoutFilter>();
        services.AddSingleton<IPluginCallFilter, PushLimitFilter>();
        return services;
    }
}
