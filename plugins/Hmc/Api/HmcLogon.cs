namespace MfaHost.Plugins.Hmc.Api;

/// <summary>A successful logon's answer. Holds secrets: not a record, so nothing prints them by accident.</summary>
internal sealed class HmcLogon
{
    /// <summary>The session id (<c>X-API-Session</c>, broker login). Treated as a secret in logs.</summary>
    public required string ApiSession { get; init; }

    /// <summary>The session-specific broker passcode. A secret: it goes to the gateway in metadata only.</summary>
    public required string SessionCredential { get; init; }

    public string? NotificationTopic { get; init; }

    public string? JobNotificationTopic { get; init; }

    public int? ApiMajorVersion { get; init; }

    public int? ApiMinorVersion { get; init; }

    /// <summary>Days until the password expires; -1 never; null when the HMC did not say.</summary>
    public int? PasswordExpires { get; init; }

    /// <summary>Deliberately without any secret.</summary>
    public override string ToString() => "HMC logon";
}
