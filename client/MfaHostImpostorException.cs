namespace MfaHost.Client;

/// <summary>The process listening on the socket does not run as the expected host uid (<see cref="MfaHostClientOptions.ExpectedHostUid"/>).</summary>
public sealed class MfaHostImpostorException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="socketPath">The socket connected to.</param>
    /// <param name="expectedUid">The uid the host should run as.</param>
    /// <param name="actualUid">The uid of the listening process, or null when the kernel could not tell.</param>
    public MfaHostImpostorException(string socketPath, uint expectedUid, uint? actualUid)
        : base(actualUid is { } actual
            ? $"the process listening on {socketPath} runs as uid {actual}, not as the host's uid {expectedUid}: it may be an impostor; nothing was sent"
            : $"cannot tell which uid listens on {socketPath} (SO_PEERCRED is unavailable), and the host's uid {expectedUid} was required; nothing was sent")
    {
        SocketPath = socketPath;
        ExpectedUid = expectedUid;
        ActualUid = actualUid;
    }

    /// <summary>The socket connected to.</summary>
    public string SocketPath { get; }

    /// <summary>The uid the host should run as.</summary>
    public uint ExpectedUid { get; }

    /// <summary>The uid of the process that listens, or null when unknown.</summary>
    public uint? ActualUid { get; }
}
