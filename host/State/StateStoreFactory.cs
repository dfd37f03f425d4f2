using Microsoft.Extensions.Logging;
using MfaHost.Configuration;

namespace MfaHost.State;

/// <summary>Opens the state store <c>[state]</c> names: the SQLite file in data_dir, or the shared PostgreSQL database.</summary>
internal static class StateStoreFactory
{
    /// <summary>The configured backend behind the fail-closed guard (the host and every CLI command use this).</summary>
    public static GuardedStateStore Open(HostSettings settings, TimeProvider timeProvider, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var state = settings.State;
        return state.Backend switch
        {
            StateBackend.Postgres => new GuardedStateStore(new PostgresStateStore(state, timeProvider, loggerFactory?.CreateLogger<PostgresStateStore>()), new StateHealth(), "postgres"),
            _ => new GuardedStateStore(SqliteStateStore.InDirectory(settings.DataDirectory, timeProvider), new StateHealth(), "sqlite"),
        };
    }
}
