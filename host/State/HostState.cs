using MfaHost.PluginSdk;
using MfaHost.Configuration;

namespace MfaHost.State;

/// <summary>
/// The state the host itself keeps (one-time tokens, session-token revocations, tickets and their replay marks, the
/// authentication cache), apart from the plugin instances' namespaces. With SQLite (one host) it lives in memory, so a
/// restart voids unused tokens and tickets (docs/tickets.md); with PostgreSQL it is in the shared store under
/// <c>#host/</c> (a name no instance file can have), so every host sees it and it survives restarts, keeping its TTLs.
/// </summary>
internal sealed record HostState(IStateStore Store)
{
    public const string Namespace = "#host";

    public static HostState Create(StateSettings settings, IStateStore shared, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new HostState(settings.Backend == StateBackend.Postgres
            ? new NamespacedStateStore(shared, Namespace)
            : new InMemoryStateStore(timeProvider));
    }
}
