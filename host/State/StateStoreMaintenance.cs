using MfaHost.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MfaHost.State;

/// <summary>
/// The state store's housekeeping in a running host: at start-up the PostgreSQL schema is migrated (a database
/// newer than this build stops the start; one that is unreachable only degrades the host until it answers); while
/// the store fails, a probe every <see cref="ProbeInterval"/> brings <c>health</c> back as soon as it answers again;
/// and expired PostgreSQL rows are swept every <see cref="SweepInterval"/>, in the background, never in a login's way.
/// </summary>
internal sealed class StateStoreMaintenance(GuardedStateStore store, TimeProvider timeProvider, ILogger<StateStoreMaintenance> logger) : BackgroundService
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        store.Health.Changed += OnHealthChanged;
        if (store.Inner is PostgresStateStore postgres)
        {
            StateLog.UsingPostgres(logger, postgres.Schema);
            try
            {
                // Already done when something used the store while the host was built.
                if (!postgres.IsReady)
                {
                    await postgres.MigrateAsync(cancellationToken);
                }
            }
            catch (StateSchemaTooNewException e)
            {
                throw new HostStartupException(e.Message, ExitCodes.UsageOrConfig, e);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped (SIGTERM) while the database did not answer: a stop, not a failure with a stack trace.
                throw new OperationCanceledException(cancellationToken);
            }
            catch (Exception)
            {
                // Reported through the probe below, which keeps trying.
                try
                {
                    await store.ProbeAsync(timeProvider.GetUtcNow(), cancellationToken);
                }
                catch (StateUnavailableException)
                {
                }
            }
        }

        await base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        store.Health.Changed -= OnHealthChanged;
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ProbeInterval, timeProvider);
        var nextSweep = timeProvider.GetUtcNow() + SweepInterval;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (store.Health.Problem is not null)
                {
                    try
                    {
                        await store.ProbeAsync(timeProvider.GetUtcNow(), stoppingToken);
                    }
                    catch (StateUnavailableException)
                    {
                        continue;
                    }
                }

                if (store.Inner is PostgresStateStore postgres && timeProvider.GetUtcNow() >= nextSweep)
                {
                    nextSweep = timeProvider.GetUtcNow() + SweepInterval;
                    await SweepAsync(postgres, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(PostgresStateStore postgres, CancellationToken cancellationToken)
    {
        try
        {
            var swept = await postgres.SweepAsync(cancellationToken);
            if (swept > 0)
            {
                StateLog.Swept(logger, swept);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Housekeeping: the next round tries again; logins are not affected.
        catch (Exception e)
#pragma warning restore CA1031
        {
            StateLog.SweepFailed(logger, e);
        }
    }

    private void OnHealthChanged(string? problem)
    {
        if (problem is null)
        {
            StateLog.Recovered(logger);
        }
        else
        {
            StateLog.Unavailable(logger, problem);
        }
    }
}
