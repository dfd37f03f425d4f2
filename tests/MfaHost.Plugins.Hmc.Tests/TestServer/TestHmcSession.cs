namespace MfaHost.Plugins.Hmc.Tests.TestServer;

/// <summary>A session the test HMC handed out, with what happened to it.</summary>
public sealed class TestHmcSession(string id, string credential, TestHmcUser user)
{
    private int _logoffs;

    public string Id { get; } = id;

    public string Credential { get; } = credential;

    public TestHmcUser User { get; } = user;

    public bool Expired { get; set; }

    public bool LoggedOff { get; set; }

    /// <summary>Every DELETE this-session that named this session, successful or not.</summary>
    public int LogoffRequests => Volatile.Read(ref _logoffs);

    public bool IsValid => !Expired && !LoggedOff;

    internal void CountLogoff() => Interlocked.Increment(ref _logoffs);
}
