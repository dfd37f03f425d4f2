using System.Collections.Concurrent;

namespace MfaHost.PluginSdk;

/// <summary>
/// The gateway session a request belongs to (its <c>session_id</c>), with a state bag the plugin
/// may use across NEEDINFO round trips and release in <see cref="MfaClient.SessionEndedAsync"/>.
/// </summary>
public sealed class MfaSession
{
    /// <summary>Creates a session.</summary>
    /// <param name="id">The gateway's session id.</param>
    public MfaSession(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        Id = id;
    }

    /// <summary>The gateway's session id.</summary>
    public string Id { get; }

    /// <summary>Plugin state kept for this session; thread-safe.</summary>
    public ConcurrentDictionary<string, object> Items { get; } = new(StringComparer.Ordinal);
}
