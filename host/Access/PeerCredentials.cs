namespace MfaHost.Access;

/// <summary>Who is at the other end of a gateway connection, as the kernel reports it (SO_PEERCRED).</summary>
/// <param name="Pid">The peer's process id.</param>
/// <param name="Uid">The peer's user id.</param>
/// <param name="Gid">The peer's group id.</param>
internal sealed record PeerCredentials(int Pid, uint Uid, uint Gid)
{
    /// <summary>The credentials could not be read (not Linux, or the call failed): no uid rule matches.</summary>
    public static PeerCredentials Unknown { get; } = new(0, uint.MaxValue, uint.MaxValue);

    public bool IsKnown => Uid != uint.MaxValue;

    public override string ToString() => IsKnown ? $"uid {Uid} gid {Gid} pid {Pid}" : "unknown peer";
}
