namespace MfaHost.Metrics;

/// <summary>
/// What the status page shows beyond the counters: the last <see cref="RecentCapacity"/> decisions (with the
/// user name, which the page hides unless <c>show_users</c>), decisions per minute by verdict for the last
/// <see cref="Minutes"/> minutes, and each instance's last <see cref="LatencySamples"/> answer times for
/// percentiles. In memory only; a restart starts empty.
/// </summary>
internal sealed class DecisionHistory(TimeProvider timeProvider)
{
    public const int RecentCapacity = 50;

    public const int Minutes = 60;

    public const int LatencySamples = 1024;

    private readonly Lock _lock = new();
    private readonly RecentDecision[] _recent = new RecentDecision[RecentCapacity];
    private readonly MinuteCounts[] _minutes = new MinuteCounts[Minutes];
    private readonly Dictionary<string, LatencyRing> _latency = new(StringComparer.Ordinal);
    private int _recentNext;
    private int _recentCount;

    public void Add(string instance, string verdict, string reason, string username, TimeSpan elapsed)
    {
        var now = timeProvider.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        lock (_lock)
        {
            _recent[_recentNext] = new RecentDecision(now, instance, verdict, reason, username, elapsed);
            _recentNext = (_recentNext + 1) % RecentCapacity;
            _recentCount = Math.Min(_recentCount + 1, RecentCapacity);

            ref var slot = ref _minutes[minute % Minutes];
            if (slot.Minute != minute)
            {
                slot = new MinuteCounts { Minute = minute };
            }

            switch (verdict)
            {
                case "ACCEPT":
                    slot.Accept++;
                    break;
                case "NEEDINFO":
                    slot.NeedInfo++;
                    break;
                default:
                    slot.Deny++;
                    break;
            }

            if (!_latency.TryGetValue(instance, out var ring))
            {
                ring = new LatencyRing();
                _latency[instance] = ring;
            }

            ring.Add(elapsed.TotalSeconds);
        }
    }

    /// <summary>The recent decisions, newest first.</summary>
    public IReadOnlyList<RecentDecision> Recent()
    {
        lock (_lock)
        {
            var list = new List<RecentDecision>(_recentCount);
            for (var i = 1; i <= _recentCount; i++)
            {
                list.Add(_recent[(_recentNext - i + RecentCapacity) % RecentCapacity]);
            }

            return list;
        }
    }

    /// <summary>One entry per minute of the last <see cref="Minutes"/> minutes, oldest first; the last is the current minute.</summary>
    public IReadOnlyList<MinuteCounts> PerMinute()
    {
        var current = timeProvider.GetUtcNow().ToUnixTimeSeconds() / 60;
        lock (_lock)
        {
            var list = new List<MinuteCounts>(Minutes);
            for (var minute = current - Minutes + 1; minute <= current; minute++)
            {
                var slot = _minutes[minute % Minutes];
                list.Add(slot.Minute == minute ? slot : new MinuteCounts { Minute = minute });
            }

            return list;
        }
    }

    /// <summary>Answer-time percentiles per instance over its last <see cref="LatencySamples"/> answers.</summary>
    public IReadOnlyList<LatencySummary> Latencies()
    {
        lock (_lock)
        {
            return _latency
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => p.Value.Summarize(p.Key))
                .ToList();
        }
    }

    private sealed class LatencyRing
    {
        private readonly double[] _samples = new double[LatencySamples];
        private int _next;
        private int _count;

        public void Add(double seconds)
        {
            _samples[_next] = seconds;
            _next = (_next + 1) % LatencySamples;
            _count = Math.Min(_count + 1, LatencySamples);
        }

        public LatencySummary Summarize(string instance)
        {
            var sorted = _samples[.._count];
            Array.Sort(sorted);
            return new LatencySummary(instance, _count, At(sorted, 0.50), At(sorted, 0.90), At(sorted, 0.99), sorted[^1]);
        }

        // Nearest rank.
        private static double At(double[] sorted, double quantile) =>
            sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>One answer to <c>authenticate</c> as the status page lists it.</summary>
internal sealed record RecentDecision(DateTimeOffset Time, string Instance, string Verdict, string Reason, string Username, TimeSpan Elapsed);

/// <summary>Decisions in one minute (<see cref="Minute"/> counts minutes since the Unix epoch), by verdict.</summary>
internal struct MinuteCounts
{
    public long Minute { get; init; }

    public int Accept { get; set; }

    public int Deny { get; set; }

    public int NeedInfo { get; set; }

    public readonly int Total => Accept + Deny + NeedInfo;
}

/// <summary>Answer-time percentiles (seconds) of one instance over <paramref name="Samples"/> answers.</summary>
internal sealed record LatencySummary(string Instance, int Samples, double P50, double P90, double P99, double Max);
