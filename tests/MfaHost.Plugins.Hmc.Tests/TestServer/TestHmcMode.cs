namespace MfaHost.Plugins.Hmc.Tests.TestServer;

/// <summary>How the test HMC misbehaves, if at all.</summary>
public enum TestHmcMode
{
    /// <summary>A working HMC.</summary>
    Normal,

    /// <summary>Every <c>/api</c> call answers an HTML page saying the Web Services are not enabled.</summary>
    WebServicesDisabled,

    /// <summary>Every call answers 500.</summary>
    ServerError,

    /// <summary>Version works; the logon answers 503.</summary>
    LogonServerError,

    /// <summary>The logon answers 200 with JSON that has no <c>api-session</c>.</summary>
    LogonWithoutApiSession,

    /// <summary>Logoff answers 500 (the plugin must log it and carry on).</summary>
    LogoffFails,
}
