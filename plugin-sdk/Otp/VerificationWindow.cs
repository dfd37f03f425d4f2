namespace MfaHost.PluginSdk;

/// <summary>How many time steps before and after the current one a TOTP verification also accepts (clock drift, network delay).</summary>
public sealed class VerificationWindow
{
    /// <summary>Creates a window.</summary>
    /// <param name="previous">Steps back (0 or more).</param>
    /// <param name="future">Steps forward (0 or more).</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative count.</exception>
    public VerificationWindow(int previous = 0, int future = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(previous);
        ArgumentOutOfRangeException.ThrowIfNegative(future);
        Previous = previous;
        Future = future;
    }

    /// <summary>The current step only.</summary>
    public static VerificationWindow CurrentStepOnly { get; } = new();

    /// <summary>One step back and one forward, as RFC 6238 (section 5.2) recommends.</summary>
    public static VerificationWindow RfcSpecifiedNetworkDelay { get; } = new(1, 1);

    /// <summary>Steps back.</summary>
    public int Previous { get; }

    /// <summary>Steps forward.</summary>
    public int Future { get; }
}
