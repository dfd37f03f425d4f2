namespace MfaHost.Protocol;

/// <summary>The per-connection limits of <c>[host]</c>.</summary>
internal sealed record ConnectionLimits(int MaxFrameBytes, int MaxInFlight, TimeSpan IdleTimeout, TimeSpan FrameTimeout);

/// <summary>Why <see cref="GatewayConnection.CheckTimeouts"/> closed a connection.</summary>
internal enum ConnectionTimeout
{
    None,
    Idle,
    Frame,
    AnswersNotRead,
}
