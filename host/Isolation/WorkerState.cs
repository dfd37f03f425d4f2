namespace MfaHost.Isolation;

/// <summary>What an isolated instance's worker is doing now.</summary>
internal enum WorkerState
{
    Starting,
    Running,
    Restarting,
    Stopped,
}
