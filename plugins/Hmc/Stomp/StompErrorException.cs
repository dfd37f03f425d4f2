namespace MfaHost.Plugins.Hmc.Stomp;

/// <summary>The broker answered an ERROR frame. The message is the frame's <c>message</c> header.</summary>
internal sealed class StompErrorException(StompFrame frame)
    : Exception(frame["message"] is { Length: > 0 } message ? message : "ERROR frame without a message header")
{
    public StompFrame Frame { get; } = frame;
}
