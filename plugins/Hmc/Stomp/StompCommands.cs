namespace MfaHost.Plugins.Hmc.Stomp;

/// <summary>The STOMP 1.2 commands and headers this client uses.</summary>
internal static class StompCommands
{
    public const string Connect = "CONNECT";
    public const string Connected = "CONNECTED";
    public const string Disconnect = "DISCONNECT";
    public const string Receipt = "RECEIPT";
    public const string Error = "ERROR";

    /// <summary>CONNECT and CONNECTED headers are not escaped (STOMP 1.2, for STOMP 1.0 compatibility).</summary>
    public static bool EscapesHeaders(string command) => command is not (Connect or Connected);
}
