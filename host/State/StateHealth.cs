namespace MfaHost.State;

/// <summary>
/// Whether the state store answers: the last failure's reason until a later operation (or the maintenance probe)
/// succeeds. <c>health</c> reports <c>degraded</c> with the reason while it is set.
/// </summary>
internal sealed class StateHealth
{
    private volatile string? _problem;

    /// <summary>Why the store is unavailable, or null when it answers.</summary>
    public string? Problem => _problem;

    /// <summary>Raised when the store goes from answering to failing or back (argument: the problem, or null).</summary>
    public event Action<string?>? Changed;

    public void Failed(string problem)
    {
        if (Interlocked.Exchange(ref _problem, problem) is null)
        {
            Changed?.Invoke(problem);
        }
    }

    public void Succeeded()
    {
        if (_problem is not null && Interlocked.Exchange(ref _problem, null) is not null)
        {
            Changed?.Invoke(null);
        }
    }
}
