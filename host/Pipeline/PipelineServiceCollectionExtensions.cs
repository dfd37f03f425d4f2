using MfaHost.Configuration;
using MfaHost.Plugins;
using MfaHost.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MfaHost.Pipeline;

/// <summary>The step types of a login in the order they run; the pipeline takes each from the services, or creates it once with its constructor's services.</summary>
internal sealed record AuthenticationStepOrder(IReadOnlyList<Type> Steps);

/// <summary>Registers the pipeline, its conversations and its session lifetime.</summary>
internal static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Needs <see cref="ActiveCatalog"/>, <see cref="HostSettings"/>, <see cref="TimeProvider"/>, logging, an
    /// <see cref="AuthenticationStepOrder"/> and whatever its steps take in their constructors.
    /// </summary>
    public static IServiceCollection AddAuthenticationPipeline(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ConversationStore(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<HostSettings>().ConversationTimeout));
        services.AddSingleton(sp => new SessionLifetime(
            sp.GetRequiredService<ConversationStore>(),
            sp.GetRequiredService<HostSettings>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AuthenticationPipeline>>(),
            sp.GetServices<ISessionEndedListener>()));
        services.AddSingleton<ConversationAsker>();
        services.AddSingleton(sp => new AuthenticationPipeline(
            sp.GetRequiredService<ActiveCatalog>(),
            sp.GetRequiredService<ConversationStore>(),
            sp.GetRequiredService<SessionLifetime>(),
            sp.GetRequiredService<AuthenticationStepOrder>().Steps.Select(type => (IAuthenticationStep)ActivatorUtilities.GetServiceOrCreateInstance(sp, type)),
            sp.GetRequiredService<ILogger<AuthenticationPipeline>>()));
        services.AddSingleton<IAuthenticationPipeline>(sp => sp.GetRequiredService<AuthenticationPipeline>());
        return services;
    }

    /// <summary>
    /// A pipeline outside the host (the plugin test kit, tests) over <paramref name="catalog"/>, with an in-memory
    /// authentication cache; <paramref name="services"/> may add (or replace) what the steps need.
    /// </summary>
    public static AuthenticationPipeline CreatePipeline(
        ActiveCatalog catalog, PluginCallGuard guard, HostSettings hostSettings, TimeProvider timeProvider, ILoggerFactory loggerFactory, AuthenticationStepOrder steps, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection()
            .AddSingleton(catalog)
            .AddSingleton(guard)
            .AddSingleton(hostSettings)
            .AddSingleton(timeProvider)
            .AddSingleton(loggerFactory)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddSingleton(steps)
            .AddSingleton(new AuthenticationCache(new InMemoryStateStore(timeProvider), timeProvider))
            .AddAuthenticationPipeline();
        services?.Invoke(collection);

        // The pipeline owns what it needs (it disposes its session lifetime and steps); the provider holds nothing else.
        return collection.BuildServiceProvider().GetRequiredService<AuthenticationPipeline>();
    }
}
