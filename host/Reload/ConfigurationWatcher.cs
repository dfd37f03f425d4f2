using MfaHost.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MfaHost.Reload;

/// <summary>
/// <c>[host] watch = yes</c>: reloads when files under the configuration or plugins folders change,
/// once they have been quiet for <see cref="QuietPeriod"/> (a copy of a plugin build is many events).
/// </summary>
internal sealed class ConfigurationWatcher(HostSettings settings, ConfigurationReloader reloader, TimeProvider timeProvider, ILogger<ConfigurationWatcher> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(2);

    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Lock _lock = new();
    private ITimer? _debounce;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var folder in new[] { settings.ConfigDirectory, settings.PluginConfigDirectory, settings.PluginsDirectory }.Distinct(StringComparer.Ordinal))
        {
            if (!Directory.Exists(folder) || _watchers.Any(w => folder.StartsWith(w.Path + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                continue;
            }

            var watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size };
            watcher.Changed += OnChanged;
            watcher.Created += OnChanged;
            watcher.Deleted += OnChanged;
            watcher.Renamed += OnChanged;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }

        return Task.CompletedTask;
    }

    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        // The state store and the socket live under the configuration folder by default: not configuration.
        if (e.FullPath.StartsWith(settings.DataDirectory, StringComparison.Ordinal) || e.FullPath == settings.SocketPath)
        {
            return;
        }

        lock (_lock)
        {
            if (_debounce is null)
            {
                ReloadLog.FilesChanged(logger, e.FullPath);
                _debounce = timeProvider.CreateTimer(_ => Fire(), null, QuietPeriod, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _debounce.Change(QuietPeriod, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Fire()
    {
        lock (_lock)
        {
            _debounce?.Dispose();
            _debounce = null;
        }

        reloader.RequestReload("files changed");
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _watchers.Clear();
        lock (_lock)
        {
            _debounce?.Dispose();
            _debounce = null;
        }
    }
}
