using System.Globalization;
using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Configuration;

namespace MfaHost.Limits;

/// <summary>
/// Where the limits keep their counters: the host's state store (so hosts sharing a store share the limits),
/// under <c>/limits/&lt;instance&gt;/</c>, a prefix no plugin's namespace (<c>&lt;instance&gt;/</c>) can reach.
/// Keys: <c>failures/&lt;identity&gt;</c>, <c>locked/&lt;identity&gt;</c>, <c>pushes/&lt;identity&gt;</c>, <c>number/&lt;session&gt;</c>.
/// </summary>
internal sealed class LimitState(IStateStore store)
{
    public const string Failures = "failures/";
    public const string Locked = "locked/";
    public const string Pushes = "pushes/";
    public const string Number = "number/";

    /// <summary>The store of one instance's limits.</summary>
    public IStateStore For(string instance) => new NamespacedStateStore(store, "/limits/" + instance);

    /// <summary>How many identities of <paramref name="instance"/> are locked out, and how many are at their push limit.</summary>
    public async Task<(int LockedOut, int PushRateLimited)> CountAsync(string instance, LimitSettings settings, CancellationToken cancellationToken)
    {
        var state = For(instance);
        var locked = 0;
        await foreach (var _ in state.ListAsync(Locked, cancellationToken))
        {
            locked++;
        }

        var limited = 0;
        await foreach (var (_, value) in state.ListAsync(Pushes, cancellationToken))
        {
            if (settings.PushLimitEnabled && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pushes) && pushes >= settings.PushMax)
            {
                limited++;
            }
        }

        return (locked, limited);
    }

    /// <summary>Whole seconds from <paramref name="now"/> to <paramref name="until"/>, at least 1.</summary>
    public static int SecondsLeft(DateTimeOffset now, DateTimeOffset? until) =>
        Math.Max(1, (int)Math.Ceiling(((until ?? now) - now).TotalSeconds));
}
