namespace MfaHost.Audit;

/// <summary>
/// The audit trail (<c>[audit]</c>): one hash-chained JSON line per decision and admin action. Recording never blocks
/// and never throws: lines go through a bounded queue to a background writer; a full queue or a failed write is
/// logged and counted, and the decision stands.
/// </summary>
internal interface IAuditTrail
{
    /// <summary>Queues one record (time, host and generation are added); returns at once.</summary>
    void Record(AuditRecord record);

    /// <summary>Closes the file and opens it again by name before the next line (after external rotation; called on reload).</summary>
    void Reopen();
}

/// <summary>The configuration generation written into each audit line: 1 at start-up, one more per applied reload.</summary>
internal interface IConfigurationGeneration
{
    long Current { get; }
}

/// <summary>The generation serving now.</summary>
internal sealed class ServingConfigurationGeneration(MfaHost.Plugins.ActiveCatalog active) : IConfigurationGeneration
{
    public long Current => active.Current.Generation;
}

/// <summary>Always generation 1 (tests of the trail on its own).</summary>
internal sealed class StartupConfigurationGeneration : IConfigurationGeneration
{
    public long Current => 1;
}

/// <summary>A trail that records nothing (benchmarks and tests of other parts).</summary>
internal sealed class NoAuditTrail : IAuditTrail
{
    public static NoAuditTrail Instance { get; } = new();

    public void Record(AuditRecord record)
    {
    }

    public void Reopen()
    {
    }
}
