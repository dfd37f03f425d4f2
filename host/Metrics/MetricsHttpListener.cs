using System.Net;
using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Plugins;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace MfaHost.Metrics;

/// <summary>
/// <c>[metrics] listen</c>: a small Kestrel server of its own serving <c>/metrics</c> (Prometheus text, from the
/// OpenTelemetry exporter reading the <c>MfaHost</c> meter) and the status page at <c>/</c>. Separate from the
/// host's services so that nothing of ASP.NET Core runs when the listener is off (the default).
/// </summary>
internal sealed class MetricsHttpListener(
    HostSettings settings,
    HostMetrics metrics,
    HostGauges gauges,
    ActiveCatalog catalog,
    StatusPage page,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("MfaHost.Metrics");
    private WebApplication? _app;

    /// <summary>The listener's base address once started (with the real port when <c>listen</c> gave port 0); null when off.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = gauges;
        if (settings.Metrics.Listen is { } endpoint)
        {
            await ListenAsync(endpoint, cancellationToken);
        }

        // Recorded once the exporter listens, so that /metrics has them too.
        metrics.StartSeries();
        foreach (var instance in catalog.Current.Instances.Where(i => !i.IsLoaded))
        {
            metrics.PluginLoadFailed(instance.Name, instance.Type);
        }
    }

    private async Task ListenAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "mfahost-metrics" });
        // The host's log, less the generic host's banner lines (this listener logs its own line).
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.None);

        // A failure to bind is reported once, by the host, as a HostStartupException naming [metrics] listen.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        // The host's own lifetime handles the signals; this server starts and stops with it.
        builder.Services.AddSingleton<IHostLifetime, FollowingLifetime>();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
        {
            o.Listen(endpoint);
            o.AddServerHeader = false;
        });

        // Only names that mean this machine, unless remote access is allowed: a web page elsewhere cannot
        // read the page through a DNS name that resolves to 127.0.0.1 (DNS rebinding).
        builder.Services.Configure<HostFilteringOptions>(o => o.AllowedHosts = settings.Metrics.AllowRemote ? ["*"] : ["127.0.0.1", "[::1]", "localhost"]);
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(HostMetrics.MeterName)
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

        var app = builder.Build();
        app.UseHostFiltering();
        app.UseRouting();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/", (HttpContext context) =>
        {
            context.Response.Headers.ContentSecurityPolicy = StatusPage.ContentSecurityPolicy;
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.CacheControl = "no-store";
            return Results.Content(page.Render(), "text/html; charset=utf-8");
        });
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync();
            throw new HostStartupException($"cannot listen on {endpoint} ([metrics] listen): {e.Message}", innerException: e);
        }

        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Address = new Uri(address.Replace("://[::]", "://[::1]", StringComparison.Ordinal));
        if (IPAddress.IsLoopback(endpoint.Address))
        {
            MetricsLog.Listening(_logger, address);
        }
        else
        {
            MetricsLog.ListeningRemotely(_logger, address);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken);
            MetricsLog.Stopped(_logger);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync();
        }
    }

    private sealed class FollowingLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
