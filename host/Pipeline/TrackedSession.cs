using MfaHost.Plugins;
using MfaHost.PluginSdk;

namespace MfaHost.Pipeline;

/// <summary>
/// One gateway session the pipeline knows: the <see cref="MfaSession"/> state bag it handed each plugin
/// instance (one per instance, so plugins never share state), when it was last used, and a token that
/// fires when the session ends so a plugin still working for it stops.
/// </summary>
#pragma warning disable CA1001 // The token source has no timer; a request still running may read its token after the end.
internal sealed class TrackedSession
#pragma warning restore CA1001
{
    private readonly Lock _lock = new();
    // By instance object, not name: after a reload the old and the new instance of one name each keep
    // their own state bag, and session_ended reaches both.
    private readonly Dictionary<PluginInstance, MfaSession> _plugins = new(ReferenceEqualityComparer.Instance);
    private readonly CancellationTokenSource _ended = new();
    private long _lastUsedTicks;
    private bool _isEnded;

    public TrackedSession(string id, DateTimeOffset now)
    {
        Id = id;
        _lastUsedTicks = now.UtcTicks;
    }

    public string Id { get; }

    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    /// <summary>Fires when the session ends.</summary>
    public CancellationToken EndedToken => _ended.Token;

    public void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastUsedTicks, now.UtcTicks);

    /// <summary>The state bag of this session for <paramref name="instance"/>; null when the session has just ended.</summary>
    public MfaSession? SessionFor(PluginInstance instance)
    {
        lock (_lock)
        {
            if (_isEnded)
            {
                return null;
            }

            if (!_plugins.TryGetValue(instance, out var seen))
            {
                seen = new MfaSession(Id);
                _plugins[instance] = seen;
            }

            return seen;
        }
    }

    public bool Uses(PluginInstance instance)
    {
        lock (_lock)
        {
            return !_isEnded && _plugins.ContainsKey(instance);
        }
    }

    /// <summary>Drops the state bag of <paramref name="instance"/> (disposed after a reload).</summary>
    public void Forget(PluginInstance instance)
    {
        lock (_lock)
        {
            _plugins.Remove(instance);
        }
    }

    /// <summary>Marks the session ended and hands back the plugins that saw it; only the first call gets them.</summary>
    public IReadOnlyList<(PluginInstance Instance, MfaSession Session)> End()
    {
        lock (_lock)
        {
            if (_isEnded)
            {
                return [];
            }

            _isEnded = true;
            var seen = _plugins.Select(p => (p.Key, p.Value)).ToList();
            _plugins.Clear();
            return seen;
        }
    }

    /// <summary>Cancels whatever a plugin is still doing for this session.</summary>
    public void CancelPending()
    {
        try
        {
            _ended.Cancel();
        }
        catch (AggregateException)
        {
            // A callback of a plugin's own threw; the session is ended regardless.
        }
    }

    public bool IsEnded
    {
        get
        {
            lock (_lock)
            {
                return _isEnded;
            }
        }
    }
}
