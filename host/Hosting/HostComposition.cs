using MfaHost.Audit;
using MfaHost.Configuration;
using MfaHost.Limits;
using MfaHost.Metrics;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.Protocol;
using MfaHost.Resilience;
using MfaHost.Reload;
using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Systemd;
using MfaHost.Tickets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MfaHost.Logging;

namespace MfaHost.Hosting;

/// <summary>Wires the host's services together: the one place that says what runs in the process.</summary>
internal static class HostComposition
{
    /// <summary>
    /// Builds the host for a validated <paramref name="snapshot"/>. Nothing is validated or constructed while
    /// services resolve: the caller activates the snapshot (<see cref="ConfigurationReloader.Activate"/>)
    /// before it starts the host.
    /// </summary>
    public static IHost Build(ConfigurationSnapshot snapshot, Action<IServiceCollection>? overrides = null, string? socketOverride = null)
    {
        var settings = snapshot.Host;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "mfahost",
            ContentRootPath = settings.ConfigDirectory,
            DisableDefaults = true,
        });
        builder.Logging.SetMinimumLevel(settings.LogLevel);
        AddConsole(builder.Logging);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.ShutdownTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => StateStoreFactory.Open(settings, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton<IStateStore>(sp => sp.GetRequiredService<GuardedStateStore>());
        builder.Services.AddSingleton(sp => sp.GetRequiredService<GuardedStateStore>().Health);
        builder.Services.AddSingleton(sp => HostState.Create(settings.State, sp.GetRequiredService<IStateStore>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new AuthenticationCache(sp.GetRequiredService<HostState>().Store, sp.GetRequiredService<TimeProvider>()));

        // Before the socket opens: the schema is migrated (or the host degraded) by the time gateways connect.
        builder.Services.AddHostedService<StateStoreMaintenance>();
        builder.Services.AddSingleton(sp => new PluginCatalogBuilder(
            settings,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IStateStore>()));
        builder.Services.AddSingleton(_ => new ActiveCatalog());
        builder.Services.AddSingleton(new ConfigurationSource(settings.ConfigFile, socketOverride));
        builder.Services.AddSingleton<ConfigurationReloader>();
        builder.Services.AddHostedService<StateRecoveryReload>();
        if (settings.Watch)
        {
            builder.Services.AddHostedService<ConfigurationWatcher>();
        }

        builder.Services.AddSingleton<InstanceCircuits>();
        builder.Services.AddSingleton<PluginCallGuard>();
        builder.Services.AddSingleton(AuthenticationSteps.InOrder);
        builder.Services.AddAuthenticationPipeline();
        builder.Services.AddSingleton<IHostLifetime, SignalLifetime>();
        builder.Services.AddAudit();
        builder.Services.AddGatewayProtocol();
        builder.Services.AddTickets();
        builder.Services.AddLimits();
        builder.Services.AddHostMetrics();
        builder.Services.AddSystemdNotifications();
        overrides?.Invoke(builder.Services);
        SanitizingLoggerProvider.WrapAll(builder.Services);
        return builder.Build();
    }

    /// <summary>The state store <c>[state]</c> names (SQLite <c>state.db</c> in data_dir by default), shared with the CLI.</summary>
    public static IStateStore CreateStateStore(HostSettings settings, TimeProvider timeProvider) =>
        StateStoreFactory.Open(settings, timeProvider);

    /// <summary>A logger factory for CLI commands that load plugins without running the host.</summary>
    public static ILoggerFactory CreateLoggerFactory(HostSettings settings, TextWriter writer, LogLevel minimum) =>
        LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(minimum > settings.LogLevel ? minimum : settings.LogLevel);
            b.AddProvider(new TextWriterLoggerProvider(writer));
        });

    private static void AddConsole(ILoggingBuilder logging)
    {
        // Under systemd (journald attached) the journal adds time stamps and reads the <N> level prefix.
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 })
        {
            logging.AddSystemdConsole(o => o.UseUtcTimestamp = true);
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }

        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
