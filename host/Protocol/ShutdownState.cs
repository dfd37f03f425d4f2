namespace MfaHost.Protocol;

/// <summary>
/// Set by the socket server when the shutdown timeout has passed and the requests still running are cancelled, so that
/// they answer <c>shutting_down</c> (retry on another host) rather than <c>timeout</c>.
/// </summary>
internal sealed class ShutdownState
{
    private volatile bool _stopping;

    public bool IsStopping => _stopping;

    public void MarkStopping() => _stopping = true;
}
