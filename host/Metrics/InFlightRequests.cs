using MfaHost.Configuration;

namespace MfaHost.Metrics;

/// <summary>Counts the requests that count toward <c>[host] max_in_flight</c>, and refuses one over the limit.</summary>
internal sealed class InFlightRequests(HostSettings settings)
{
    private readonly int _limit = settings.MaxInFlight;
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public int Limit => _limit;

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _count) > _limit)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        return true;
    }

    public void Exit() => Interlocked.Decrement(ref _count);
}
