using MfaHost.Audit;
using MfaHost.Configuration;
using MfaHost.Metrics;
using MfaHost.Systemd;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Reload;

/// <summary>
/// Puts a configuration into service and replaces it while the host runs. A reload reads a new
/// <see cref="ConfigurationSnapshot"/>; if it has any problem the serving generation stays untouched.
/// Otherwise instances whose files, folder and credentials are unchanged are kept as they are (circuit,
/// sessions and caches survive), added and changed ones are constructed, and the new generation is
/// swapped in at once. Replaced and removed instances drain: what runs on them and their open
/// conversations finish there (up to <c>[host] drain_timeout</c>), then they are disposed and their
/// folders unloaded.
/// Draining is in <c>ConfigurationReloader.Draining.cs</c>.
/// </summary>
internal sealed partial class ConfigurationReloader(
    ActiveCatalog active,
    PluginCatalogBuilder builder,
    AuthenticationPipeline pipeline,
    ConfigurationSource source,
    HostMetrics metrics,
    ServiceManagerNotifier serviceManager,
    IAuditTrail audit,
    TimeProvider timeProvider,
    ILogger<ConfigurationReloader> logger) : IAsyncDisposable
{
    /// <summary>Host options that a reload applies; every other changed host option needs a restart.</summary>
    private static readonly HashSet<string> LiveHostOptions = new(StringComparer.Ordinal)
    {
        "[host] plugins_dir", "[host] plugin_config_dir", "[host] drain_timeout",
    };

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _draining = [];
    // Only the host file's values of the snapshot the host started with: holding the snapshot would keep
    // its plugin folders loaded.
    private IReadOnlyDictionary<string, string> _startedHostValues = new Dictionary<string, string>();

    /// <summary>Drains still running (for tests and shutdown).</summary>
    public Task DrainsCompleted
    {
        get
        {
            lock (_draining)
            {
                return Task.WhenAll(_draining);
            }
        }
    }

    /// <summary>Constructs generation 1 from <paramref name="snapshot"/>; the configuration errors plugins raise while constructed.</summary>
    public IReadOnlyList<MfaConfigurationException> Activate(ConfigurationSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var errors = new List<MfaConfigurationException>();
        var catalog = builder.Build(snapshot, snapshot.Instances, errors, generation: 1);
        snapshot.ReleaseUnusedPackages();
        _startedHostValues = snapshot.HostValues;
        active.Swap(catalog);
        ReloadLog.Activated(logger, catalog.Generation, catalog.LoadedAt, snapshot.Host.ConfigFile);
        return errors;
    }

    /// <summary>Starts a reload and logs its outcome (signals and the file watcher use this).</summary>
    public void RequestReload(string trigger) => _ = ReloadAndLogAsync(trigger);

    private async Task ReloadAndLogAsync(string trigger)
    {
        try
        {
            await ReloadAsync(trigger, CancellationToken.None);
        }
#pragma warning disable CA1031 // A reload must never take the host down: the serving generation stays.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ReloadLog.Failed(logger, e);
        }
    }

    /// <summary>Reads the configuration again and swaps it in when it is sound; one reload at a time.</summary>
    public async Task<ReloadResult> ReloadAsync(string trigger, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ReloadLog.Reloading(logger, trigger);
            serviceManager.Reloading();
            try
            {
                var result = Reload();
                metrics.ReloadFinished(result.Applied);

                // Every reload reopens the audit file, so "rename, then reload" rotates it; the reload's own line goes to the new file.
                audit.Reopen();
                audit.Record(new AuditRecord
                {
                    Event = AuditRecord.AdminEvent,
                    Method = "reload",
                    Action = "reload",
                    Detail = $"{trigger}; generation {result.Generation}",
                    Verdict = result.Applied ? AuditRecord.Done : AuditRecord.Refused,
                    Reason = result.Applied ? null : "configuration_errors",
                });
                return result;
            }
            finally
            {
                serviceManager.Reloaded();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private ReloadResult Reload()
    {
        var serving = active.Current;
        var snapshot = ConfigurationSnapshotLoader.Load(source.ConfigPath, source.SocketOverride, timeProvider);
        var problems = snapshot.Errors.Select(e => e.Message).ToList();

        // An added or changed instance that cannot be served is a problem too: it would replace a working one with a failure.
        foreach (var failed in snapshot.Instances.Where(d => d.Error is not null && !(serving.TryGet(d.Name, out var old) && IsUnchanged(old, d))))
        {
            metrics.PluginLoadFailed(failed.Name, failed.Type);
            problems.Add($"plugin instance '{failed.Name}' ({(failed.ConfigFile.Length > 0 ? failed.ConfigFile : failed.Folder)}): {failed.Error}");
        }

        var kept = new List<PluginInstance>();
        var created = new List<PluginInstance>();
        List<string> added = [], changed = [], unchanged = [];
        if (problems.Count == 0)
        {
            var errors = new List<MfaConfigurationException>();
            foreach (var definition in snapshot.Instances)
            {
                if (serving.TryGet(definition.Name, out var old) && IsUnchanged(old, definition))
                {
                    // An instance whose constructor failed (the state store was down, say) is tried again; failing again, it stays as it was.
                    if (!old.IsLoaded && definition.Error is null && builder.Create(definition, []) is { } retried)
                    {
                        if (retried.IsLoaded)
                        {
                            created.Add(retried);
                            changed.Add(definition.Name);
                            continue;
                        }

                        _ = retried.DisposeAsync().AsTask();
                    }

                    kept.Add(old);
                    unchanged.Add(definition.Name);
                    continue;
                }

                (old is null ? added : changed).Add(definition.Name);
                if (builder.Create(definition, errors) is { } instance)
                {
                    created.Add(instance);
                    if (instance.Error is { } error && definition.Error is null)
                    {
                        metrics.PluginLoadFailed(instance.Name, instance.Type);
                        problems.Add($"plugin instance '{instance.Name}' ({(instance.ConfigFile.Length > 0 ? instance.ConfigFile : instance.Folder)}): {error}");
                    }
                }
            }

            problems.AddRange(errors.Select(e => e.Message));
        }

        if (problems.Count > 0)
        {
            foreach (var instance in created)
            {
                _ = instance.DisposeAsync().AsTask();
            }

            snapshot.ReleaseUnusedPackages();
            foreach (var problem in problems)
            {
                ReloadLog.Refused(logger, serving.Generation, problem);
            }

            return new ReloadResult { Applied = false, Generation = serving.Generation, LoadedAt = serving.LoadedAt, Problems = problems };
        }

        // The instances keep the order of the files; kept ones carry their settings over unchanged.
        var byName = kept.Concat(created).ToDictionary(i => i.Name, StringComparer.Ordinal);
        var next = new PluginCatalog(snapshot.Instances.Select(d => byName[d.Name]).ToList(), snapshot.Packages, generation: serving.Generation + 1, loadedAt: snapshot.LoadedAt);
        active.Swap(next);
        snapshot.ReleaseUnusedPackages();

        var retired = serving.Instances.Where(i => !kept.Contains(i)).ToList();
        var removed = retired.Select(i => i.Name).Where(n => !byName.ContainsKey(n)).ToList();
        foreach (var instance in retired)
        {
            Track(DrainAsync(instance, serving.Generation, snapshot.Host.DrainTimeout));
        }

        var restart = ConfigurationSnapshotLoader.ChangedHostOptions(_startedHostValues, snapshot.HostValues).Where(o => !LiveHostOptions.Contains(o)).ToList();
        if (restart.Count > 0)
        {
            ReloadLog.RestartRequired(logger, restart);
        }

        ReloadLog.Applied(logger, next.Generation, next.LoadedAt, added, changed, removed, unchanged);
        return new ReloadResult
        {
            Applied = true,
            Generation = next.Generation,
            LoadedAt = next.LoadedAt,
            Added = added,
            Changed = changed,
            Removed = removed,
            Unchanged = unchanged,
            RestartRequired = restart,
        };
    }

    private static bool IsUnchanged(PluginInstance old, InstanceDefinition definition) =>
        old.Definition is { } before && (definition.Fingerprint.Length > 0
            ? before.Fingerprint == definition.Fingerprint
            : before.Fingerprint.Length == 0 && before.Error == definition.Error);

    /// <summary>Ends every drain at once and disposes the serving generation (host shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        var current = active.Swap(new PluginCatalog([], [], generation: 0));
        await current.DisposeAsync();
        Task[] draining;
        lock (_draining)
        {
            draining = [.. _draining];
        }

        await Task.WhenAll(draining).WaitAsync(TimeSpan.FromSeconds(5), TimeProvider.System).ContinueWith(_ => { }, TaskScheduler.Default);
        _gate.Dispose();
        _stopping.Dispose();
    }
}
