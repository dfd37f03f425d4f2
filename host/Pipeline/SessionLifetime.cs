using MfaHost.Configuration;
using MfaHost.Plugins;
using Microsoft.Extensions.Logging;

namespace MfaHost.Pipeline;

/// <summary>
/// How long a session lives: tracked from its first plugin call, ended by <c>session_ended</c>, by idle expiry
/// (<c>session_idle_timeout</c>, a timer) or by eviction (over <c>max_sessions</c>, least recently used first). Ending
/// one forgets its conversation, frees its connection-limit slot, and tells every plugin that took part and every
/// <see cref="ISessionEndedListener"/>, each bounded by <c>request_timeout</c>.
/// </summary>
internal sealed class SessionLifetime : IAsyncDisposable
{
    private readonly ConversationStore _conversations;
    private readonly SessionRegistry _sessions;
    private readonly HostSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ISessionEndedListener[] _sessionEndedListeners;
    private readonly ITimer _idleTimer;
    private int _evicting;

    public SessionLifetime(ConversationStore conversations, HostSettings settings, TimeProvider timeProvider, ILogger logger, IEnumerable<ISessionEndedListener> sessionEndedListeners)
    {
        _conversations = conversations;
        _settings = settings;
        _timeProvider = timeProvider;
        _logger = logger;
        _sessionEndedListeners = [.. sessionEndedListeners];
        _sessions = new SessionRegistry(timeProvider, settings.MaxSessions);
        var period = TimeSpan.FromTicks(Math.Clamp(settings.SessionIdleTimeout.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.FromMinutes(5).Ticks));
        _idleTimer = timeProvider.CreateTimer(_ => _ = EndIdleSessionsAsync(), null, period, period);
    }

    internal SessionRegistry Sessions => _sessions;

    /// <summary>The connection-limit slots the sessions hold (<c>[connection_limit]</c>); freed when a session ends.</summary>
    public ConnectionLimiter Slots { get; } = new();

    /// <summary>Lets go of the sessions' references to a disposed instance (reload).</summary>
    public void Forget(PluginInstance instance) => _sessions.Forget(instance);

    public ValueTask DisposeAsync() => _idleTimer.DisposeAsync();

    /// <summary><c>session_ended</c>: forgets the conversation and ends the session; false when neither was known.</summary>
    public async Task<bool> EndAsync(string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var known = _conversations.Remove(sessionId);
        if (_sessions.TryRemove(sessionId, out var session))
        {
            known = true;

            // The plugins release what they hold even if the caller stops waiting.
            await EndAsync(session).WaitAsync(cancellationToken);
        }

        PipelineLog.SessionEnded(_logger, sessionId, known);
        return known;
    }

    /// <summary>Ends the sessions idle for <see cref="HostSettings.SessionIdleTimeout"/> (a timer calls it).</summary>
    internal async Task EndIdleSessionsAsync()
    {
        var ended = await EndRemovedAsync(() => _sessions.RemoveIdle(_settings.SessionIdleTimeout));
        if (ended > 0)
        {
            PipelineLog.IdleSessionsEnded(_logger, ended, _settings.SessionIdleTimeout);
        }
    }

    /// <summary>Ends the least recently used sessions when more than <see cref="HostSettings.MaxSessions"/> are tracked.</summary>
    internal async Task EndLeastRecentlyUsedSessionsAsync()
    {
        if (Interlocked.Exchange(ref _evicting, 1) == 1)
        {
            return;
        }

        try
        {
            var ended = await EndRemovedAsync(_sessions.RemoveLeastRecentlyUsed);
            if (ended > 0)
            {
                PipelineLog.LeastRecentlyUsedSessionsEnded(_logger, ended, _sessions.Capacity);
            }
        }
        finally
        {
            Volatile.Write(ref _evicting, 0);
        }
    }

    private async Task<int> EndRemovedAsync(Func<IReadOnlyList<TrackedSession>> remove)
    {
        try
        {
            var removed = remove();
            foreach (var session in removed)
            {
                _conversations.Remove(session.Id);
                await EndAsync(session);
            }

            return removed.Count;
        }
#pragma warning disable CA1031 // Background housekeeping: anything unexpected is logged, the next round tries again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            PipelineLog.SessionSweepFailed(_logger, e);
            return 0;
        }
    }

    /// <summary>The session <paramref name="sessionId"/>, tracked from now on; over capacity, the least recently used are ended.</summary>
    public TrackedSession Track(string sessionId)
    {
        var session = _sessions.Track(sessionId);
        if (_sessions.IsOverCapacity)
        {
            _ = EndLeastRecentlyUsedSessionsAsync();
        }

        return session;
    }

    private async Task EndAsync(TrackedSession session)
    {
        // Marked ended before the slot is freed: an ACCEPT racing with the end either sees the mark and frees
        // its slot itself, or took the slot before and this frees it.
        var plugins = session.End();
        session.CancelPending();
        Slots.Release(session.Id);
        using var timeout = new CancellationTokenSource(_settings.RequestTimeout, _timeProvider);
        foreach (var (instance, mfaSession) in plugins)
        {
            // An instance a reload replaced hears the end while it drains; once disposed, nothing is left to tell.
            if (instance.Client is not { } client || !instance.TryEnter())
            {
                continue;
            }

            try
            {
                // Off this thread and bounded: a plugin that blocks must not hold session_ended.
                await BoundedPluginCall.RunAsync(
                    async ct =>
                    {
                        await client.SessionEndedAsync(mfaSession, ct);
                        return true;
                    },
                    _settings.RequestTimeout,
                    _timeProvider,
                    timeout.Token);
            }
#pragma warning disable CA1031 // session_ended never fails towards the gateway; a plugin's failure is logged.
            catch (Exception e)
#pragma warning restore CA1031
            {
                PipelineLog.SessionEndedFailed(_logger, e, instance.Name, session.Id);
            }
            finally
            {
                instance.Exit();
            }
        }

        foreach (var listener in _sessionEndedListeners)
        {
            try
            {
                await listener.SessionEndedAsync(session.Id, timeout.Token);
            }
#pragma warning disable CA1031 // As above: logged, never thrown to the gateway.
            catch (Exception e)
#pragma warning restore CA1031
            {
                PipelineLog.SessionEndedListenerFailed(_logger, e, listener.GetType().Name, session.Id);
            }
        }
    }
}
