using System.Threading.Channels;
using MfaHost.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MfaHost.Configuration;

namespace MfaHost.Audit;

/// <summary>
/// Writes the audit trail: <see cref="Record"/> puts a record in a bounded queue (full: dropped and counted); one
/// background writer formats, chains (<see cref="AuditLine"/>) and appends each line, and flushes once per batch of the lines
/// queued meanwhile. The file is opened by
/// name (mode 0600) at start and after <see cref="Reopen"/>, so external rotation works: the chain continues into the
/// new file. At start the chain continues from the last line of an existing file. A failed write is logged and
/// counted; its line's sequence number is spent, so <c>mfahost audit verify</c> shows the gap.
/// The background writer is in <c>AuditTrail.Writing.cs</c>.
/// </summary>
internal sealed partial class AuditTrail : IAuditTrail, IHostedService, IAsyncDisposable
{
    private readonly AuditSettings _settings;
    private readonly IConfigurationGeneration _generation;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<AuditRecord> _queue;
    private readonly string _host = Environment.MachineName;
    private byte[]? _key;
    private FileStream? _file;
    private Task _writer = Task.CompletedTask;
    private long _sequence;
    private string _previous = string.Empty;
    private bool _chainRead;
    private volatile bool _reopen;
    private long _written;
    private long _unflushed;
    private long _dropped;
    private long _failed;

    private readonly HostMetrics? _metrics;

    public AuditTrail(AuditSettings settings, IConfigurationGeneration generation, TimeProvider timeProvider, ILogger<AuditTrail> logger, HostMetrics? metrics = null)
    {
        _metrics = metrics;
        _settings = settings;
        _generation = generation;
        _timeProvider = timeProvider;
        _logger = logger;
        _queue = Channel.CreateBounded<AuditRecord>(new BoundedChannelOptions(settings.Queue)
        {
            // Wait: TryWrite on a full queue returns false at once (DropWrite would drop without telling).
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>Lines written.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records dropped because the queue was full or the trail had stopped.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Lines that could not be written (logged each time).</summary>
    public long WriteFailures => Interlocked.Read(ref _failed);

    public void Record(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_settings.Enabled)
        {
            return;
        }

        if (record.Time == default)
        {
            record = record with { Time = _timeProvider.GetUtcNow() };
        }

        if (!_queue.Writer.TryWrite(record))
        {
            var dropped = Interlocked.Increment(ref _dropped);
            _metrics?.AuditWriteFailed();
            if (ShouldLog(dropped))
            {
                AuditLog.Dropped(_logger, record.Event, record.Method, dropped);
            }
        }
    }

    public void Reopen() => _reopen = true;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_settings.Enabled)
        {
            if (_settings.Key is null)
            {
                AuditLog.GeneratedKey(_logger, _settings.GeneratedKeyFile);
            }

            _writer = Task.Run(WriteAllAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>Writes what is queued (registered before the socket, it stops after the last request), then closes the file.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            AuditLog.StoppedWithQueue(_logger, _queue.Reader.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Close();
    }
}
