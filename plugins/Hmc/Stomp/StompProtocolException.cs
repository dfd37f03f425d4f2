namespace MfaHost.Plugins.Hmc.Stomp;

/// <summary>The peer broke the STOMP 1.2 frame format, or a frame cannot be encoded. Never carries a header value.</summary>
internal sealed class StompProtocolException(string message) : Exception(message);
