using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace MfaHost.Metrics;

/// <summary>
/// The current values of every instrument of this host's meter, for the <c>stats</c> method: the same
/// figures <c>/metrics</c> exports, read in process with a <see cref="MeterListener"/> (counters summed,
/// histograms as count and sum, gauges as last observed). Only this host's meter instance is listened to.
/// </summary>
internal sealed class MeterReadings : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string Labels), Series> _series = new();
    private readonly Lock _readLock = new();

    public MeterReadings(HostMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every series, gauges observed now; ordered by instrument and labels.</summary>
    public IReadOnlyList<MeterReading> Read()
    {
        lock (_readLock)
        {
            foreach (var key in _series.Where(p => p.Value.Kind == SeriesKind.Gauge).Select(p => p.Key).ToList())
            {
                _series.TryRemove(key, out _);
            }

            _listener.RecordObservableInstruments();
            return _series
                .OrderBy(p => p.Key.Instrument, StringComparer.Ordinal)
                .ThenBy(p => p.Key.Labels, StringComparer.Ordinal)
                .Select(p => p.Value.Reading(p.Key.Instrument))
                .ToList();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            labels[tag.Key] = tag.Value?.ToString() ?? string.Empty;
        }

        var key = new StringBuilder();
        foreach (var (name, text) in labels)
        {
            key.Append(name).Append('=').Append(text).Append(',');
        }

        var kind = instrument switch
        {
            Histogram<double> => SeriesKind.Histogram,
            ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double> => SeriesKind.Gauge,
            _ => SeriesKind.Sum,
        };
        _series.GetOrAdd((instrument.Name, key.ToString()), _ => new Series(kind, labels)).Add(value);
    }

    private enum SeriesKind
    {
        Sum,
        Histogram,
        Gauge,
    }

    private sealed class Series(SeriesKind kind, IReadOnlyDictionary<string, string> labels)
    {
        private readonly Lock _lock = new();
        private double _value;
        private long _count;

        public SeriesKind Kind => kind;

        public void Add(double value)
        {
            lock (_lock)
            {
                _value = kind == SeriesKind.Gauge ? value : _value + value;
                _count++;
            }
        }

        public MeterReading Reading(string instrument)
        {
            lock (_lock)
            {
                return kind == SeriesKind.Histogram
                    ? new MeterReading(instrument, labels, _count, _value)
                    : new MeterReading(instrument, labels, _value, null);
            }
        }
    }
}

/// <summary>
/// One series: a counter's total or a gauge's value in <paramref name="Value"/>; for a histogram, the number
/// of measurements in <paramref name="Value"/> and their sum in <paramref name="Sum"/>.
/// </summary>
internal sealed record MeterReading(string Instrument, IReadOnlyDictionary<string, string> Labels, double Value, double? Sum);
