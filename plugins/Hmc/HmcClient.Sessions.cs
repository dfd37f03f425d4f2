using MfaHost.Plugins.Hmc.Api;
using MfaHost.Plugins.Hmc.Logging;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Hmc;

// The HMC sessions held for gateway sessions: tracked after a logon, logged off exactly once when the gateway session
// ends, is replaced or cancelled, or the host stops.
public sealed partial class HmcClient
{
    /// <summary>The gateway sessions that hold an HMC session now.</summary>
    internal int LiveSessionCount
    {
        get
        {
            lock (_gate)
            {
                return _live.Count;
            }
        }
    }

    /// <inheritdoc/>
    public override async ValueTask SessionEndedAsync(MfaSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        HmcSession? tracked;
        lock (_gate)
        {
            _live.Remove(session.Id, out tracked);
        }

        session.Items.TryRemove(SessionItemKey, out var inBag);
        await LogoffQuietlyAsync(tracked ?? inBag as HmcSession, session.Id, "gateway session ended", cancellationToken);
        if (inBag is HmcSession other && !ReferenceEquals(other, tracked))
        {
            await LogoffQuietlyAsync(other, session.Id, "gateway session ended", cancellationToken);
        }
    }

    private async Task TrackAsync(MfaSession gatewaySession, HmcSession session)
    {
        HmcSession? replaced;
        bool disposed;
        lock (_gate)
        {
            disposed = _disposed;
            _live.Remove(gatewaySession.Id, out replaced);
            if (!disposed)
            {
                _live[gatewaySession.Id] = session;
            }
        }

        gatewaySession.Items[SessionItemKey] = session;
        if (replaced is not null && !ReferenceEquals(replaced, session))
        {
            await LogoffQuietlyAsync(replaced, gatewaySession.Id, "replaced by a new logon in the same gateway session", CancellationToken.None);
        }

        if (disposed)
        {
            await LogoffQuietlyAsync(session, gatewaySession.Id, "host shutting down", CancellationToken.None);
        }
    }

    private async Task ForgetAsync(MfaSession gatewaySession, HmcSession session, string why)
    {
        lock (_gate)
        {
            if (_live.TryGetValue(gatewaySession.Id, out var tracked) && ReferenceEquals(tracked, session))
            {
                _live.Remove(gatewaySession.Id);
            }
        }

        gatewaySession.Items.TryRemove(new KeyValuePair<string, object>(SessionItemKey, session));
        await LogoffQuietlyAsync(session, gatewaySession.Id, why, CancellationToken.None);
    }

    // Never fails the gateway: a failed logoff is logged. Bounded by the request timeout.
    private async Task LogoffQuietlyAsync(HmcSession? session, string gatewaySession, string why, CancellationToken cancellationToken)
    {
        if (session is null)
        {
            return;
        }

        var endpoint = session.Api.Endpoint;
        try
        {
            using var deadline = new CancellationTokenSource(_settings.RequestTimeout, Context.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            switch (await session.LogoffAsync(linked.Token))
            {
                case HmcLogoffResult.LoggedOff:
                    HmcLog.LoggedOff(Logger, endpoint, session.Userid, gatewaySession, why);
                    break;
                case HmcLogoffResult.AlreadyEnded:
                    HmcLog.AlreadyEnded(Logger, endpoint, session.Userid, gatewaySession, why);
                    break;
                case HmcLogoffResult.NotSent:
                    break;
            }
        }
        catch (Exception e) when (e is MfaException or OperationCanceledException or HttpRequestException or IOException)
        {
            HmcLog.LogoffFailed(Logger, endpoint, session.Userid, gatewaySession, why, e is OperationCanceledException ? "cancelled or no answer in time" : e.Message);
        }
    }
}
