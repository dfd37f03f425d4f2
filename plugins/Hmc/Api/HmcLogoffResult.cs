namespace MfaHost.Plugins.Hmc.Api;

/// <summary>What <see cref="HmcSession.LogoffAsync"/> did.</summary>
internal enum HmcLogoffResult
{
    /// <summary>The HMC confirmed the logoff (200 or 204).</summary>
    LoggedOff,

    /// <summary>The HMC said the session was no longer valid (403 reason 4 or 5): nothing to log off.</summary>
    AlreadyEnded,

    /// <summary>An earlier call logged the session off (or is doing so): nothing sent.</summary>
    NotSent,
}
