namespace MfaHost.PluginSdk;

/// <summary>What a plugin can do; shown by the host's <c>plugins</c> method.</summary>
[Flags]
public enum MfaCapabilities
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Push notifications (no code from the user).</summary>
    Push = 1,

    /// <summary>One-time passwords.</summary>
    Otp = 2,

    /// <summary>Needs the user's primary password from the gateway.</summary>
    Password = 4,
}
