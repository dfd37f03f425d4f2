namespace MfaHost.PluginSdk;

/// <summary>How a <see cref="StatusPoller{TStatus}"/> spreads and groups its status queries.</summary>
public sealed record StatusPollerOptions
{
    /// <summary>
    /// The time between two queries of one item. The first query of an item comes after a random part
    /// (between half and all) of it, so that items parked together are polled spread over the interval.
    /// </summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>
    /// The most items one query may ask about (default 1: one query per item). Above 1, items that fall
    /// due within <see cref="BatchWindow"/> of each other are asked about together: use it when the
    /// service offers a batch status query (or a long-poll over many items).
    /// </summary>
    public int MaxBatch { get; init; } = 1;

    /// <summary>How long an item that fell due waits for others to join its batch (only with <see cref="MaxBatch"/> above 1).</summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The clock (the instance's <see cref="MfaPluginContext.TimeProvider"/>).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
