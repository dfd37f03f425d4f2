using System.Collections.Frozen;

namespace MfaHost.Configuration;

/// <summary>
/// <c>[access]</c>: which peer uids may call which methods. The host's own uid and root may always call
/// everything; the lists add other callers.
/// </summary>
internal sealed record AccessRules
{
    public static AccessRules Default { get; } = new();

    /// <summary>May call authenticate, session_ended, plugins, health.</summary>
    public FrozenSet<uint> GatewayUids { get; init; } = FrozenSet<uint>.Empty;

    /// <summary>May call token_create and admin.</summary>
    public FrozenSet<uint> AdminUids { get; init; } = FrozenSet<uint>.Empty;

    /// <summary>May call ticket and ticket_verify.</summary>
    public FrozenSet<uint> TicketUids { get; init; } = FrozenSet<uint>.Empty;

    /// <summary><c>applids_&lt;uid&gt;</c>: the APPLIDs a ticket caller may ask for; a uid without a list may ask for any.</summary>
    public FrozenDictionary<uint, FrozenSet<string>> TicketApplids { get; init; } = FrozenDictionary<uint, FrozenSet<string>>.Empty;
}
